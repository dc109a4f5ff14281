package layout

import "testing"

// The signature prompt is found where a character of it was misread or
// lost, and never in the department's stamp prompt below it.
func TestFuzzyPrompt(t *testing.T) {
	for _, tc := range []struct {
		text, prompt, after string // after: what follows the prompt found; "-" none found
	}{
		{"本单位承诺……\n单位责人（签字）：  彭小军\n区（县）中小企业主管部门（公章）：", "单位负责人（签字）：", "  彭小军\n区（县）中小企业主管部门（公章）："},
		{"单位负责人（签宇）： 王强", "单位负责人（签字）：", " 王强"},
		{"县级行政区划中小企业主管部门负责（签字）：任建国", "县级行政区划中小企业主管部门负责人（签字）：", "任建国"},
		// The stamp's prompt alone is no signature prompt.
		{"县级行政区划中小企业主管部门（公章）：  济信", "县级行政区划中小企业主管部门负责人（签字）：", "-"},
		// Nor is a line that reads otherwise.
		{"单位级放人（行）：沈游", "单位负责人（签字）：", "-"},
	} {
		end, ok := fuzzyPrompt(tc.text, Norm(tc.prompt))
		got := "-"
		if ok {
			got = tc.text[end:]
		}
		if got != tc.after {
			t.Errorf("fuzzyPrompt(%q): followed by %q, want %q", tc.text, got, tc.after)
		}
	}
}
