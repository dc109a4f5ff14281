package crosscheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shenbao/shenbao"
)

// Quota is a notice's limit on how many applications one unit may send.
type Quota struct {
	Rule        string   `yaml:"rule"`
	Editions    []string `yaml:"editions"`
	Per         string   `yaml:"per"` // province or county
	Max         int      `yaml:"max"`
	MaxPlanCity int      `yaml:"max_plan_city"`
	MaxCorps    int      `yaml:"max_corps"`
	Severity    string   `yaml:"severity"`
	Basis       string   `yaml:"basis"`
}

func (q Quota) validate() error {
	switch {
	case q.Rule == "" || len(q.Editions) == 0 || q.Max <= 0 || q.Basis == "":
		return fmt.Errorf("rule, editions, max and basis are required")
	case q.Per != "province" && q.Per != "county":
		return fmt.Errorf("per %q: want province or county", q.Per)
	case q.Severity != shenbao.SeverityError && q.Severity != shenbao.SeverityWarning:
		return fmt.Errorf("severity %q: want error or warning", q.Severity)
	}
	return nil
}

// quotas counts the clusters (not the files: the same application sent as
// docx and PDF is one) each unit sends, and reports units over the limit.
func (c *Checker) quotas(apps []*doc, m *clusters) []Result {
	var out []Result
	for _, q := range c.rules.Quotas {
		type group struct {
			name     string
			clusters map[int]bool
			files    []string
		}
		groups := map[string]*group{}
		var order []string
		for i, a := range apps {
			if !slices.Contains(q.Editions, a.edition) {
				continue
			}
			key, name := c.quotaUnit(q, a)
			if key == "" {
				continue
			}
			g := groups[key]
			if g == nil {
				g = &group{name: name, clusters: map[int]bool{}}
				groups[key] = g
				order = append(order, key)
			}
			g.clusters[m.find(i)] = true
			g.files = append(g.files, a.file)
		}
		for _, key := range order {
			g := groups[key]
			limit := q.Max
			if q.Per == "province" {
				if q.MaxPlanCity > 0 && slices.ContainsFunc(c.rules.PlanCities, func(p string) bool { return sameStem(p, key) }) {
					limit = q.MaxPlanCity
				}
				if q.MaxCorps > 0 && slices.ContainsFunc(c.rules.Corps, func(p string) bool { return sameStem(p, key) }) {
					limit = q.MaxCorps
				}
			}
			if len(g.clusters) <= limit {
				continue
			}
			slices.Sort(g.files)
			out = append(out, Result{
				Others: g.files,
				Finding: shenbao.Finding{
					Kind:     KindQuota,
					Rule:     q.Rule,
					Severity: q.Severity,
					Message: fmt.Sprintf("%s 本批申报 %d 个集群（%s），超过通知规定的 %d 个。",
						g.name, len(g.clusters), strings.Join(displayNames(g.files), "、"), limit),
					Basis: q.Basis,
				},
			})
		}
	}
	return out
}

// quotaUnit returns the key an application is counted under and the name
// to show for it.
func (c *Checker) quotaUnit(q Quota, a *doc) (key, name string) {
	if q.Per == "province" {
		return a.unit, a.unit
	}
	r := a.id.region
	if r.County == "" {
		return "", ""
	}
	return stem(r.Province) + "/" + stem(r.City) + "/" + stem(r.County), r.Province + r.City + r.County
}
