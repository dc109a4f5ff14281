// Command shenbao reads and checks applications for the SME specialty
// industrial cluster programme (中小企业特色产业集群申报表).
//
//	shenbao check FILE...          read and check applications, print the report
//	shenbao editions [--fields ID] list form editions, or one template's fields
//
// Every flag can also be set from the environment: SHENBAO_ followed by the
// flag name in upper case with '-' as '_' (--database-url → SHENBAO_DATABASE_URL).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/shenbao/shenbao"
	"github.com/shenbao/shenbao/extract/child"
)

func main() {
	// A re-executed child runs its C-backed job and exits here.
	child.Main()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr)
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "shenbao:", shenbao.ErrorMessage(err))
		if shenbao.ErrorCode(err) == shenbao.EINTERNAL {
			fmt.Fprintln(os.Stderr, "detail:", err)
		}
		os.Exit(exitCode(err))
	}
}

// exitCode maps an error to the process status: 2 for usage, 3 for a
// document that could not be read, 1 otherwise.
func exitCode(err error) int {
	switch shenbao.ErrorCode(err) {
	case shenbao.EINVALID, shenbao.EUNSUPPORTED, shenbao.ETOOLARGE, shenbao.EENCRYPTED, shenbao.ENEEDSOCR, shenbao.ECRASHED, shenbao.ETIMEOUT:
		return 3
	case "usage":
		return 2
	}
	return 1
}
