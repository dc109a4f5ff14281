package bulk

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/shenbao/shenbao/extract/child"
	"github.com/shenbao/shenbao/queue"
	"github.com/shenbao/shenbao/store"
	"github.com/shenbao/shenbao/store/pgtest"
)

func TestMain(m *testing.M) {
	child.Main()
	os.Exit(pgtest.Run(m))
}

// A bulk run through the shared PostgreSQL queue, worked by a worker
// process's queue, writes the same outputs as a local run.
func TestRemoteMatchesLocal(t *testing.T) {
	url := pgtest.Database(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, store.Config{DatabaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	local := runner(t, t.TempDir())
	local.Cross = nil
	// The worker side: what `shenbao worker` runs against the same URL.
	wq, err := queue.Open(ctx, st, local.Pipeline, queue.Config{Workers: 2, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := wq.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer wq.Stop(context.Background())

	dir := archive(t)
	items, fails := Walk([]string{dir}, 100<<20)
	remote := (&Remote{Store: st, Queue: wq, Batch: "bulk-test", Poll: 200 * time.Millisecond}).Run(ctx, items)
	if remote.Interrupted {
		t.Fatal("remote run interrupted")
	}
	want := outputs(t, local.Run(ctx, items), fails)
	if got := outputs(t, remote, fails); got != want {
		t.Errorf("remote outputs differ from a local run:\n%s\n====\n%s", got, want)
	}
}
