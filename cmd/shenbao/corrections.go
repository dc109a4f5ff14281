package main

import (
	"flag"
	"fmt"

	"github.com/shenbao/shenbao/correct"
)

// corrections lists the corrections stage's rules, in the order they run:
// what a scan's values may have been changed by after reading, each
// change recorded in the report's repairs.
func (m *Main) corrections(args []string) error {
	fs := flag.NewFlagSet("corrections", flag.ContinueOnError)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	rules := correct.Rules()
	fmt.Fprintf(m.Stdout, "识别更正规则 / OCR correction rules: %d（仅用于扫描件，每次更正记入 repairs 并降低置信度）\n", len(rules))
	for _, r := range rules {
		fmt.Fprintf(m.Stdout, "  %-16s %-10s ×%.2f  %s\n", r.Name(), r.Title(), r.Factor(), r.About())
	}
	return nil
}
