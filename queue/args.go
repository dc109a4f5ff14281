package queue

import (
	"encoding/json"
	"fmt"

	"github.com/riverqueue/river/rivertype"
)

func decodeArgs(j *rivertype.JobRow, v any) error {
	if err := json.Unmarshal(j.EncodedArgs, v); err != nil {
		return fmt.Errorf("decode args of job %d: %w", j.ID, err)
	}
	return nil
}
