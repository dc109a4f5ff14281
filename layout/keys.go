package layout

import (
	"fmt"
	"sort"
)

// A canonical key means one measure: rows of one key in several editions
// are compared with each other (the history of a cluster across its
// applications), so they must ask the same question. Two rows of a key ask
// it when they have the same type and unit and the same label up to
// whitespace and punctuation width (Norm), or when a row declares in its
// template how its print differs:
//
//	same:    the question is the same, worded otherwise (the value says how);
//	differs: the rule sets treat the row as the key's (a threshold on 专精特新
//	         counts) but it asks a narrower or broader question (the value says
//	         how): its values compare only with rows printed as it is.
//
// A question that is neither gets its own key.

// Row returns the template's first row of key, or nil.
func (t *Template) Row(key string) *Spec {
	for i := range t.Rows {
		if t.Rows[i].Key == key {
			return &t.Rows[i]
		}
	}
	return nil
}

// Comparable reports whether values of rows a and b, of one key in two
// editions, are figures of the same measure.
func Comparable(a, b *Spec) bool {
	if a == nil || b == nil || a.Type != b.Type || a.Unit != b.Unit {
		return false
	}
	if Norm(a.Label) == Norm(b.Label) {
		return true
	}
	return a.Differs == "" && b.Differs == "" && (a.Same != "" || b.Same != "")
}

// checkKeys refuses a set in which a key shared by several editions holds
// rows that are not declared to ask the same question (see Comparable):
// another edition's data file cannot make the history check compare two
// different figures by reusing a key.
func (s *Set) checkKeys() error {
	type row struct {
		t *Template
		s *Spec
	}
	byKey := map[string][]row{}
	var keys []string
	for _, t := range s.list {
		for i := range t.Rows {
			r := &t.Rows[i]
			if len(byKey[r.Key]) == 0 {
				keys = append(keys, r.Key)
			}
			byKey[r.Key] = append(byKey[r.Key], row{t, r})
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		rows := byKey[k]
		for i, a := range rows {
			for _, b := range rows[i+1:] {
				if a.t == b.t {
					continue
				}
				switch {
				case a.s.Type != b.s.Type || a.s.Unit != b.s.Unit:
					return fmt.Errorf("key %s: %s has a %s in %q, %s a %s in %q; a key is one measure: give one of them its own key",
						k, a.t.ID, a.s.Type, a.s.Unit, b.t.ID, b.s.Type, b.s.Unit)
				case Norm(a.s.Label) != Norm(b.s.Label) && a.s.Same == "" && b.s.Same == "" && a.s.Differs == "" && b.s.Differs == "":
					return fmt.Errorf("key %s: %s prints %q, %s %q; declare same: or differs: on one of them, or give it its own key",
						k, a.t.ID, a.s.Label, b.t.ID, b.s.Label)
				}
			}
		}
	}
	return nil
}
