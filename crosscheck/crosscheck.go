// Package crosscheck runs the checks that need more than one document: the
// same cluster's figures across years (history_mismatch), long answers
// copied between clusters (duplicate_text), summary tables against the
// applications they list (summary_mismatch) and the notices' quotas per
// province or county (quota). It works on mapped reports only, so the bulk
// command and the service can both feed it whatever they hold.
//
// Rule ids (stable, like the report contract):
//
//	history.value        a past year's figure changed between two applications of one cluster
//	duplicate.text       a long answer nearly the same as another cluster's (reported on both)
//	summary.name, summary.org, summary.region, summary.industry
//	                     a summary row disagrees with its application
//	summary.intro_fact   a figure cited in 集群简介 differs from the application's
//	summary.intro_limit  集群简介 over the table's character limit
//	summary.orphan_row   a row with no application in the batch
//	summary.unlisted     an application of a province/county that has a table, in no table
//	quota.<edition>.*    a unit sends more applications than its notice allows (KindQuota)
package crosscheck

import (
	"bytes"
	"cmp"
	_ "embed"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/layout"
)

// KindQuota is the finding kind of a batch that exceeds a notice's quota.
const KindQuota = shenbao.KindQuota

// Result is one finding of a check across documents. Document is the file
// the finding is about ("" for a batch-level finding); Others names the
// documents it was compared with (for a quota, the applications counted).
// Score is the match score of the two clusters (history) or the similarity
// of the two passages (duplicate_text), 0 where it means nothing.
type Result struct {
	Document string          `json:"document"`
	Others   []string        `json:"others,omitempty"`
	Score    float64         `json:"score,omitempty"`
	Finding  shenbao.Finding `json:"finding"`
}

// Segmenter cuts Chinese text into words; *gse.Segmenter satisfies it.
type Segmenter interface {
	Cut(text string, hmm ...bool) []string
}

// Options tune Run. The zero value of a threshold means its default.
type Options struct {
	// Segmenter is required for the copied-text check, which is skipped
	// when it is nil. Loading a dictionary takes seconds, so callers make
	// one per process (NewSegmenter) and pass it to every run.
	Segmenter Segmenter
	// Shingles, when set, keeps segmented answers between runs.
	Shingles ShingleCache
	// MatchThreshold is the cluster match score (0–1) above which two
	// applications are taken for the same cluster. Default 0.6.
	MatchThreshold float64
	// DuplicateThreshold is the Jaccard similarity of two answers' word
	// shingles (each cluster's own place names and industry masked) from
	// which they count as copied. Default 0.6: on the development corpus,
	// whose generator composes answers from a shared pool of sentences,
	// different clusters' long answers reach 0.55; an answer copied and
	// adapted (names and products swapped) scores 0.69.
	DuplicateThreshold float64
	// DuplicateMinChars is the length (non-whitespace characters) from
	// which an answer is compared: short answers resemble each other by
	// nature. Default 100.
	DuplicateMinChars int
}

func (o Options) withDefaults() Options {
	if o.MatchThreshold == 0 {
		o.MatchThreshold = 0.6
	}
	if o.DuplicateThreshold == 0 {
		o.DuplicateThreshold = 0.6
	}
	if o.DuplicateMinChars == 0 {
		o.DuplicateMinChars = 100
	}
	return o
}

//go:embed rules.yaml
var rulesYAML []byte

// Rules is the data the checks rest on: quotas, edition presets of the
// region, and the facts a 集群简介 may cite.
type Rules struct {
	EditionRegions map[string]Region `yaml:"edition_regions"`
	PlanCities     []string          `yaml:"plan_cities"`
	Corps          []string          `yaml:"corps"`
	Quotas         []Quota           `yaml:"quotas"`
	IntroFacts     []IntroFact       `yaml:"intro_facts"`
}

// Checker runs the checks with one set of templates and rules; it is safe
// for concurrent use.
type Checker struct {
	templates *layout.Set
	rules     *Rules
	facts     []compiledFact
}

// New returns a Checker using the embedded rules.
func New(templates *layout.Set) (*Checker, error) {
	r, err := ParseRules(rulesYAML)
	if err != nil {
		return nil, fmt.Errorf("embedded rules: %w", err)
	}
	return NewWithRules(templates, r)
}

// NewWithRules returns a Checker using the given rules.
func NewWithRules(templates *layout.Set, r *Rules) (*Checker, error) {
	facts, err := compileFacts(r.IntroFacts)
	if err != nil {
		return nil, err
	}
	for i, q := range r.Quotas {
		if err := q.validate(); err != nil {
			return nil, fmt.Errorf("quota %d (%s): %w", i+1, q.Rule, err)
		}
	}
	return &Checker{templates: templates, rules: r, facts: facts}, nil
}

// ParseRules decodes rules, rejecting unknown members so that a typo in a
// hand-edited file is not silently ignored.
func ParseRules(data []byte) (*Rules, error) {
	var r Rules
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("decode rules: %w", err)
	}
	return &r, nil
}

// Run checks the reports against each other. Reports of unknown editions
// are ignored: nothing can be compared without canonical keys.
func (c *Checker) Run(reports []*shenbao.Report, opts Options) []Result {
	ps := make([]*Prepared, len(reports))
	parallel(len(reports), func(i int) { ps[i] = c.Prepare(reports[i], opts) })
	return c.RunPrepared(ps, opts)
}

// Prepared is one report made ready for RunPrepared: its identity and
// values indexed and its long answers shingled. Preparing is most of the
// per-document work of Run, and documents are independent: a caller that
// already spreads documents over workers (bulk) prepares each there, so
// the checks across the set only do what needs the whole set.
type Prepared struct {
	d       *doc
	answers []answer
	sigs    [][numHashes]uint64
}

// Prepare makes r ready for RunPrepared with opts (the copied-text check's
// segmenter and shingle cache); nil for a report of no known edition.
// Reports must not change between Prepare and RunPrepared.
func (c *Checker) Prepare(r *shenbao.Report, opts Options) *Prepared {
	opts = opts.withDefaults()
	if r == nil {
		return nil
	}
	t, ok := c.templates.Get(r.Edition.ID)
	if !ok {
		return nil
	}
	p := &Prepared{d: newDoc(r, t, c.rules)}
	if t.Kind != layout.KindSummary && opts.Segmenter != nil {
		p.answers, p.sigs = prepareAnswers(p.d, opts)
	}
	return p
}

// RunPrepared is Run over prepared reports (nil ones are skipped), prepared
// with the same options.
func (c *Checker) RunPrepared(ps []*Prepared, opts Options) []Result {
	opts = opts.withDefaults()
	var apps, sums []*doc
	var prepared []*Prepared
	for _, p := range ps {
		if p == nil {
			continue
		}
		if p.d.t.Kind == layout.KindSummary {
			sums = append(sums, p.d)
		} else {
			apps = append(apps, p.d)
			prepared = append(prepared, p)
		}
	}
	m := matchClusters(apps, opts.MatchThreshold)
	var out []Result
	out = append(out, c.history(apps, m)...)
	if opts.Segmenter != nil {
		out = append(out, duplicates(apps, prepared, m, opts)...)
	}
	out = append(out, c.summaries(sums, apps, m, opts.MatchThreshold)...)
	out = append(out, c.quotas(apps, m)...)
	sortResults(out)
	return out
}

// sortResults orders results so that outputs (and golden files) are stable
// whatever order the reports came in.
func sortResults(rs []Result) {
	slices.SortStableFunc(rs, func(a, b Result) int {
		return cmp.Or(
			cmp.Compare(a.Finding.Kind, b.Finding.Kind),
			cmp.Compare(a.Document, b.Document),
			slices.Compare(a.Others, b.Others),
			cmp.Compare(a.Finding.Rule, b.Finding.Rule),
			slices.Compare(a.Finding.FieldIDs, b.Finding.FieldIDs),
			cmp.Compare(a.Finding.Column, b.Finding.Column),
			cmp.Compare(a.Finding.Message, b.Finding.Message),
		)
	})
}

// Run loads the embedded templates and rules and checks the reports; a
// caller running many batches keeps a Checker instead.
func Run(reports []*shenbao.Report, opts Options) ([]Result, error) {
	set, err := layout.Load()
	if err != nil {
		return nil, fmt.Errorf("load templates: %w", err)
	}
	c, err := New(set)
	if err != nil {
		return nil, err
	}
	return c.Run(reports, opts), nil
}
