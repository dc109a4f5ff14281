// Package throttle slows down password guessing. Every sign-in try costs a
// bcrypt comparison (about 70 ms of a core), so unthrottled tries both
// guess passwords and fill the cores. A SignIn counts failed tries per
// account and per client address; past a few free failures each further
// one locks that key for twice as long as the last (1 s, 2 s, 4 s … up to
// Max), and a locked key's tries are refused before any bcrypt.
//
// Counts live in the process's memory, bounded by MaxKeys: several serve
// processes each keep their own, which multiplies the free tries by their
// number and leaves the backoff as it is.
package throttle

import (
	"sync"
	"time"
)

// Config sets the limits; zero fields take the defaults.
type Config struct {
	// AccountFree and AddressFree are the failure counts at which locking
	// starts: per account name (default 5) and per client address
	// (default 20, since an office may share one address).
	AccountFree, AddressFree int
	// Base is the first lock (default 1 s), Max the longest (default 15
	// minutes).
	Base, Max time.Duration
	// Forget drops a key's failures after this long without one (default 1
	// hour).
	Forget time.Duration
	// MaxKeys bounds the keys remembered, per kind (default 100,000).
	MaxKeys int
	// Now is the clock; default time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.AccountFree, 5)
	def(&c.AddressFree, 20)
	def(&c.MaxKeys, 100_000)
	defDur(&c.Base, time.Second)
	defDur(&c.Max, 15*time.Minute)
	defDur(&c.Forget, time.Hour)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// SignIn throttles sign-in tries by account and by address. It is safe for
// concurrent use; one SignIn serves the review pages and the API, so both
// ways of trying a password count together.
type SignIn struct {
	cfg       Config
	mu        sync.Mutex
	accounts  counts
	addresses counts
}

// New returns a SignIn with the limits of cfg.
func New(cfg Config) *SignIn {
	cfg = cfg.withDefaults()
	return &SignIn{cfg: cfg, accounts: counts{}, addresses: counts{}}
}

type entry struct {
	fails int
	last  time.Time // of the last failure
	until time.Time // locked until
}

type counts map[string]*entry

// maxKeyLen bounds what a key may cost in memory: a name is short, an
// address shorter.
const maxKeyLen = 128

func key(s string) string {
	if len(s) > maxKeyLen {
		return s[:maxKeyLen]
	}
	return s
}

// Wait returns how long a try for account name from address addr must
// still wait: 0 when it may go ahead.
func (s *SignIn) Wait(name, addr string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	var wait time.Duration
	for _, e := range []*entry{s.accounts[key(name)], s.addresses[key(addr)]} {
		if e != nil && e.until.After(now) {
			wait = max(wait, e.until.Sub(now))
		}
	}
	return wait
}

// Failed records a failed try and returns the wait it sets.
func (s *SignIn) Failed(name, addr string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	a := s.fail(s.accounts, key(name), s.cfg.AccountFree, now)
	b := s.fail(s.addresses, key(addr), s.cfg.AddressFree, now)
	return max(a, b)
}

// Succeeded forgets the account's failures; the address keeps its own, so
// that one right password among many guesses from an address does not
// give the guesser a fresh start.
func (s *SignIn) Succeeded(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.accounts, key(name))
}

func (s *SignIn) fail(c counts, k string, free int, now time.Time) time.Duration {
	e := c[k]
	if e != nil && now.Sub(e.last) > s.cfg.Forget {
		e = nil
	}
	if e == nil {
		if len(c) >= s.cfg.MaxKeys {
			s.prune(c, now)
		}
		e = &entry{}
		c[k] = e
	}
	e.fails++
	e.last = now
	if e.fails < free {
		return 0
	}
	lock := s.cfg.Max
	if n := e.fails - free; n < 30 {
		lock = min(s.cfg.Base<<n, s.cfg.Max)
	}
	e.until = now.Add(lock)
	return lock
}

// prune makes room in a full map: first every forgotten key, then, if an
// attacker with many addresses filled it with fresh ones, the key that
// failed longest ago.
func (s *SignIn) prune(c counts, now time.Time) {
	var oldest string
	for k, e := range c {
		if now.Sub(e.last) > s.cfg.Forget && !e.until.After(now) {
			delete(c, k)
		} else if oldest == "" || e.last.Before(c[oldest].last) {
			oldest = k
		}
	}
	if len(c) >= s.cfg.MaxKeys {
		delete(c, oldest)
	}
}
