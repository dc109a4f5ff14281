// Package pipeline is the whole of processing one document: extraction
// (extract) followed by the checks (criteria), and the re-check of a stored
// report after a correction or a rule change, which re-runs the checks
// without reading the file again.
package pipeline

import (
	"context"
	"fmt"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/criteria"
	"github.com/shenbao/shenbao/extract"
)

// Pipeline extracts and checks documents. It is safe for concurrent use.
type Pipeline struct {
	Extractor *extract.Extractor
	Rules     *criteria.Engine
	// Profile picks the rule profile; "" uses each edition's default.
	Profile string
}

// Extract reads a document and checks it.
func (p *Pipeline) Extract(ctx context.Context, name string, data []byte) (*shenbao.Report, error) {
	rep, err := p.Read(ctx, name, data)
	if err != nil {
		return nil, err
	}
	return p.Check(ctx, rep)
}

// Read is the first stage of Extract: the file's values and extraction's
// own findings, before the rule profile's checks.
func (p *Pipeline) Read(ctx context.Context, name string, data []byte) (*shenbao.Report, error) {
	return p.Extractor.Extract(ctx, name, data)
}

// Check recomputes rep's findings from its current values: extraction's own
// (unknown edition, low confidence) and the rule profile's.
func (p *Pipeline) Check(ctx context.Context, rep *shenbao.Report) (*shenbao.Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	findings := p.Extractor.Findings(rep)
	if t, ok := p.Extractor.Templates.Get(rep.Edition.ID); ok {
		rep.Edition.Year = t.Year // a report stored before templates declared it
		findings = append(findings, p.Rules.Check(rep, t, p.Profile)...)
	} else if rep.Edition.ID != shenbao.EditionUnknown {
		return nil, fmt.Errorf("check %s: edition %q has no template", rep.File, rep.Edition.ID)
	}
	if findings == nil {
		findings = []shenbao.Finding{}
	}
	rep.Findings = findings
	return rep, nil
}
