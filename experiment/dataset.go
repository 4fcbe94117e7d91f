package experiment

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/observe-go/langfuse"
)

// FetchDataset fetches the Langfuse dataset called name through ctx's
// client (langfuse.GetDataset) and returns its items as those of an
// experiment, as Items does. Run links each item's trace to its dataset
// item.
func FetchDataset[In, Exp any](ctx context.Context, name string, opts ...langfuse.DatasetOption) ([]Item[In, Exp], error) {
	ds, err := langfuse.GetDataset(ctx, name, opts...)
	if err != nil {
		return nil, err
	}
	return Items[In, Exp](ds)
}

// Items returns the items of ds as those of an experiment: the input and
// expected output decoded from their JSON into In and Exp (JSON null or
// none is the zero value), the metadata as a map (metadata that is not a
// JSON object is kept under the key "metadata"), the dataset's id and
// version. Archived items are left out, as Langfuse leaves them out of
// new runs. An item whose JSON does not decode into In or Exp is an
// error naming it.
func Items[In, Exp any](ds *langfuse.Dataset) ([]Item[In, Exp], error) {
	if ds == nil {
		return nil, nil
	}
	items := make([]Item[In, Exp], 0, len(ds.Items))
	for _, di := range ds.Items {
		if di.Status == "ARCHIVED" {
			continue
		}
		it := Item[In, Exp]{ID: di.ID, DatasetID: di.DatasetID, Version: ds.Version}
		if it.DatasetID == "" {
			it.DatasetID = ds.ID
		}
		if len(di.Input) > 0 {
			if err := json.Unmarshal(di.Input, &it.Input); err != nil {
				return nil, fmt.Errorf("experiment: dataset %q item %s: input: %w", ds.Name, di.ID, err)
			}
		}
		if len(di.ExpectedOutput) > 0 {
			if err := json.Unmarshal(di.ExpectedOutput, &it.Expected); err != nil {
				return nil, fmt.Errorf("experiment: dataset %q item %s: expected output: %w", ds.Name, di.ID, err)
			}
		}
		if len(di.Metadata) > 0 {
			var m any
			if err := json.Unmarshal(di.Metadata, &m); err != nil {
				return nil, fmt.Errorf("experiment: dataset %q item %s: metadata: %w", ds.Name, di.ID, err)
			}
			if obj, ok := m.(map[string]any); ok {
				it.Metadata = obj
			} else {
				it.Metadata = map[string]any{"metadata": m}
			}
		}
		items = append(items, it)
	}
	return items, nil
}
