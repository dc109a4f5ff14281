package corpus

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/editdist"
)

// RepairScore counts what one correction rule's repairs did, held against
// the truth: whether each brought the value it changed closer to what was
// filled (fewer edits; MadeRight of them exactly right), took it further
// (BrokeRight of them right as read), or neither. A rule that no longer
// helps — none helped, or as many hurt — should go (issue 20, item 5).
type RepairScore struct {
	Repairs                   int
	Helped, MadeRight         int
	Hurt, BrokeRight          int
	Neither                   int
	Untold                    int // on a value the truth does not name
	FieldRepairs, TextRepairs int // of those the truth names
}

// RepairScores is RepairScore by rule name.
type RepairScores map[string]*RepairScore

// ScoreRepairs scores every repair in rep (the corrections stage's
// record of what it changed) against d's truth. A repair is measured on
// its own: what it read and what it made of it, so that a rule is judged
// by its own step even where another rule changed the value after it.
func ScoreRepairs(rep *shenbao.Report, d Doc) RepairScores {
	truth := map[string]string{}
	for _, tf := range d.Truth.Fields {
		truth[tf.Section+"|"+tf.FullLabel()+"|"+tf.Column] = tf.Value
	}
	for _, tt := range d.Truth.Texts {
		truth[tt.Section+"|"+tt.FullLabel()] = tt.Text
	}
	// What each repaired id is in the truth, and whether it is a long
	// answer.
	want, isText := map[string]string{}, map[string]bool{}
	for _, f := range rep.Fields {
		if v, ok := truth[f.Section+"|"+f.Label+"|"+f.Column]; ok {
			want[f.ID] = v
		}
	}
	for _, x := range rep.Texts {
		if v, ok := truth[x.Section+"|"+x.Label]; ok {
			want[x.ID], isText[x.ID] = v, true
		}
	}
	out := RepairScores{}
	for _, r := range rep.Repairs {
		s := out[r.Rule]
		if s == nil {
			s = &RepairScore{}
			out[r.Rule] = s
		}
		s.Repairs++
		w, ok := want[r.FieldID]
		if !ok {
			s.Untold++
			continue
		}
		if isText[r.FieldID] {
			s.TextRepairs++
		} else {
			s.FieldRepairs++
		}
		target := []rune(strip(w))
		before := editdist.Distance([]rune(strip(r.Read)), target)
		after := editdist.Distance([]rune(strip(r.Value)), target)
		switch {
		case after < before:
			s.Helped++
			if after == 0 {
				s.MadeRight++
			}
		case after > before:
			s.Hurt++
			if before == 0 {
				s.BrokeRight++
			}
		default:
			s.Neither++
		}
	}
	return out
}

// Add sums o into rs.
func (rs RepairScores) Add(o RepairScores) {
	for rule, s := range o {
		t := rs[rule]
		if t == nil {
			t = &RepairScore{}
			rs[rule] = t
		}
		t.Repairs += s.Repairs
		t.Helped += s.Helped
		t.MadeRight += s.MadeRight
		t.Hurt += s.Hurt
		t.BrokeRight += s.BrokeRight
		t.Neither += s.Neither
		t.Untold += s.Untold
		t.FieldRepairs += s.FieldRepairs
		t.TextRepairs += s.TextRepairs
	}
}

// Line is the scores on one line, rules sorted: rule=repairs/helped/hurt/neither.
func (rs RepairScores) Line() string {
	var parts []string
	for rule, s := range rs {
		parts = append(parts, fmt.Sprintf("%s=%d/%d/%d/%d", rule, s.Repairs, s.Helped, s.Hurt, s.Neither))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Helps says whether a rule earns its place: it helped, and more often
// than it hurt.
func (s RepairScore) Helps() bool { return s.Helped > 0 && s.Hurt < s.Helped }

// String prints the scores as a table, rules in the order given (the
// stage's), then any other rule a report named; a rule that made no
// repair is listed with zeros, as it helped nothing either.
func (rs RepairScores) String(order []string) string {
	names := append([]string(nil), order...)
	var rest []string
	for rule := range rs {
		if !slices.Contains(order, rule) {
			rest = append(rest, rule)
		}
	}
	sort.Strings(rest)
	names = append(names, rest...)
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s %7s %6s %5s %7s %6s %5s %7s %6s %6s  %s\n", "rule", "repairs", "fields", "texts", "helped", "right", "hurt", "broken", "neither", "untold", "verdict")
	for _, rule := range names {
		s := RepairScore{}
		if rs[rule] != nil {
			s = *rs[rule]
		}
		verdict := "keep"
		if !s.Helps() {
			verdict = "retire"
		}
		fmt.Fprintf(&b, "%-16s %7d %6d %5d %7d %6d %5d %7d %6d %6d  %s\n", rule, s.Repairs, s.FieldRepairs, s.TextRepairs,
			s.Helped, s.MadeRight, s.Hurt, s.BrokeRight, s.Neither, s.Untold, verdict)
	}
	return b.String()
}
