package shenbao

import "testing"

// A reread applies to the word as read, never to part of a longer number.
func TestRereadApply(t *testing.T) {
	tests := []struct {
		read, as, s, want string
		ok                bool
	}{
		{"395", "3.95", "395", "3.95", true},
		{"750", "7.50", "750亿元", "7.50亿元", true},
		{"789%", "78%", "达到789%。", "达到78%。", true},
		{"789%", "78%", "1789%", "1789%", false},
		{"395", "3.95", "1395", "1395", false},
		{"395", "3.95", "3957", "3957", false},
		{"395", "3.95", "0.395", "0.395", false},
		// The first occurrence that stands alone.
		{"395", "3.95", "1395 395", "1395 3.95", true},
		{"", "x", "abc", "abc", false},
		{"11.99%6", "11.99%", "79%", "79%", false},
	}
	for _, tt := range tests {
		got, ok := Reread{Read: tt.read, As: tt.as}.Apply(tt.s)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%q→%q on %q: %q %v, want %q %v", tt.read, tt.as, tt.s, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzRereadApply(f *testing.F) {
	f.Add("789%", "78%", "达到789%。")
	f.Fuzz(func(t *testing.T, read, as, s string) {
		got, ok := Reread{Read: read, As: as}.Apply(s)
		if !ok && got != s || ok && len(got) != len(s)-len(read)+len(as) {
			t.Fatalf("Apply(%q→%q, %q) = %q, %v", read, as, s, got, ok)
		}
	})
}
