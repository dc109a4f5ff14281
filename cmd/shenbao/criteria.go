package main

import (
	"flag"
	"fmt"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/criteria"
)

// criteria lists what is checked: every rule set with its rules (id, kind,
// severity, basis), or the rules one profile applies.
func (m *Main) criteria(args []string) error {
	fs := flag.NewFlagSet("criteria", flag.ContinueOnError)
	profile := fs.String("profile", "", "list the rules this profile applies")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	rules, err := criteria.Load()
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	row := func(r criteria.Rule) {
		fmt.Fprintf(m.Stdout, "  %-36s %-14s %-8s %s\n", r.ID, r.Kind, r.Severity, r.Basis)
	}
	if *profile != "" {
		list, ok := rules.ProfileRules(*profile)
		if !ok {
			return shenbao.Errorf(shenbao.ENOTFOUND, "没有规则方案 %q / no profile %q", *profile, *profile)
		}
		fmt.Fprintf(m.Stdout, "方案 / profile %s: %d 条规则 / rules\n", *profile, len(list))
		for _, r := range list {
			row(r)
		}
		return nil
	}
	for _, s := range rules.Rules() {
		kind := "规则集 / rule set"
		if s.Profile {
			kind = "方案 / profile"
		}
		fmt.Fprintf(m.Stdout, "\n%s  %s（%s）", s.ID, s.Name, kind)
		if len(s.Uses) > 0 {
			fmt.Fprintf(m.Stdout, " uses %v", s.Uses)
		}
		if s.Extends != "" {
			fmt.Fprintf(m.Stdout, " extends %s", s.Extends)
		}
		fmt.Fprintln(m.Stdout)
		for _, r := range s.Rules {
			row(r)
		}
	}
	return nil
}
