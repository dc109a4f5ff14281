package main

import (
	"context"
	"fmt"
	"os"

	"github.com/shenbao/shenbao/extract/docx"
)

func main() {
	data, _ := os.ReadFile(os.Args[1])
	f, _ := os.Open(os.Args[1])
	c, err := docx.Read(context.Background(), f, int64(len(data)))
	if err != nil {
		fmt.Println("ERR", err)
		return
	}
	fmt.Print(docx.String(c))
}
