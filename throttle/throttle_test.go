package throttle

import (
	"fmt"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{time.Unix(1_800_000_000, 0)} }
func fails(s *SignIn, name, addr string, n int) (last time.Duration) {
	for range n {
		last = s.Failed(name, addr)
	}
	return last
}

func TestBackoffPerAccount(t *testing.T) {
	c := newClock()
	s := New(Config{Now: c.now})
	// Four failures are free; the fifth locks for 1 s, each next one for
	// twice as long, up to Max.
	if w := fails(s, "zhangsan", "10.0.0.1", 4); w != 0 || s.Wait("zhangsan", "10.0.0.1") != 0 {
		t.Fatalf("locked after 4 failures: %v", w)
	}
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		if w := s.Failed("zhangsan", fmt.Sprintf("10.0.0.%d", i+2)); w != want {
			t.Fatalf("failure %d: lock %v, want %v", 5+i, w, want)
		}
	}
	if w := s.Wait("zhangsan", "10.9.9.9"); w != 4*time.Second {
		t.Fatalf("the account's lock from another address: %v", w)
	}
	if w := s.Wait("lisi", "10.9.9.9"); w != 0 {
		t.Fatalf("another account locked: %v", w)
	}
	c.add(4 * time.Second)
	if w := s.Wait("zhangsan", "10.0.0.1"); w != 0 {
		t.Fatalf("still locked after the lock: %v", w)
	}
	if w := fails(s, "zhangsan", "10.0.0.1", 30); w != 15*time.Minute {
		t.Fatalf("lock after many failures: %v, want the 15 min cap", w)
	}
	s.Succeeded("zhangsan")
	if w := s.Wait("zhangsan", "10.7.7.7"); w != 0 {
		t.Fatalf("locked after a success: %v", w)
	}
	// An hour of quiet forgets the failures.
	fails(s, "wangwu", "10.0.0.9", 4)
	c.add(61 * time.Minute)
	if w := s.Failed("wangwu", "10.0.0.9"); w != 0 {
		t.Fatalf("failures not forgotten after an hour: %v", w)
	}
}

func TestBackoffPerAddress(t *testing.T) {
	c := newClock()
	s := New(Config{Now: c.now})
	for i := range 19 {
		if w := s.Failed(fmt.Sprintf("user%d", i), "10.0.0.1"); w != 0 {
			t.Fatalf("address locked after %d failures", i+1)
		}
	}
	if w := s.Failed("user19", "10.0.0.1"); w != time.Second {
		t.Fatalf("20th failure from one address: %v, want 1s", w)
	}
	if w := s.Wait("anyone", "10.0.0.1"); w != time.Second {
		t.Fatalf("a new name from the locked address: %v", w)
	}
	s.Succeeded("anyone")
	if w := s.Wait("someone", "10.0.0.1"); w == 0 {
		t.Fatal("a success unlocked the address")
	}
	if w := s.Wait("anyone", "10.0.0.2"); w != 0 {
		t.Fatalf("another address locked: %v", w)
	}
}

// TestMemoryBounded: many addresses cannot grow the counts past MaxKeys.
func TestMemoryBounded(t *testing.T) {
	c := newClock()
	s := New(Config{Now: c.now, MaxKeys: 100})
	for i := range 1000 {
		s.Failed("x", fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		c.add(time.Millisecond)
	}
	if len(s.addresses) > 100 {
		t.Fatalf("%d addresses remembered, want at most 100", len(s.addresses))
	}
	// The account kept counting through it all.
	if w := s.Wait("x", "10.9.9.9"); w < 14*time.Minute {
		t.Fatalf("account wait %v", w)
	}
}
