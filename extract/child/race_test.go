//go:build race

package child_test

// The race detector's shadow memory cannot live under RLIMIT_AS.
const raceEnabled = true
