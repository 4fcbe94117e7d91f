package langfuse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Dataset is a dataset of Langfuse dataset management: inputs, with the
// outputs expected for them, that experiments run a program over (see
// package experiment).
type Dataset struct {
	ID          string
	Name        string
	Description string
	Metadata    json.RawMessage // JSON, or nil
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Items are the dataset's items as fetched, in the order Langfuse
	// lists them; none from CreateDataset.
	Items []DatasetItem
	// Version is the point in time the items were fetched at
	// (DatasetVersion); zero for the latest items.
	Version time.Time
}

// DatasetItem is one item of a dataset. Input, ExpectedOutput and
// Metadata are JSON as Langfuse stores them (nil when absent); package
// experiment decodes them into the types of an experiment.
type DatasetItem struct {
	ID                  string
	DatasetID           string
	DatasetName         string
	Status              string // "ACTIVE" or "ARCHIVED"
	Input               json.RawMessage
	ExpectedOutput      json.RawMessage
	Metadata            json.RawMessage
	SourceTraceID       string
	SourceObservationID string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// DatasetOption changes how Client.Dataset fetches a dataset.
type DatasetOption interface {
	applyDataset(*datasetSettings)
}

type datasetSettings struct {
	version  time.Time
	pageSize int
}

type datasetOptionFunc func(*datasetSettings)

func (f datasetOptionFunc) applyDataset(s *datasetSettings) { f(s) }

// DatasetVersion fetches the items as they were at t, a dataset version;
// experiments then record t as each item's version.
func DatasetVersion(t time.Time) DatasetOption {
	return datasetOptionFunc(func(s *datasetSettings) { s.version = t })
}

// DatasetPageSize sets how many items each request fetches, 1 to 100 (the
// most Langfuse serves); the default is 50, as the official SDKs fetch.
func DatasetPageSize(n int) DatasetOption {
	return datasetOptionFunc(func(s *datasetSettings) { s.pageSize = n })
}

// The dataset calls' paths on the server (Langfuse's public API).
const (
	datasetsPath         = "/api/public/v2/datasets"
	datasetItemsPath     = "/api/public/dataset-items"
	datasetRunItemsPath  = "/api/public/dataset-run-items"
	defaultDatasetPage   = 50
	maxDatasetPageSize   = 100
	versionTimestampForm = "2006-01-02T15:04:05.000Z"
)

// ErrInvalidDataset is wrapped by the error of a dataset call whose
// arguments Langfuse would refuse: no name, a page size out of range, a
// run item without its dataset item or trace.
var ErrInvalidDataset = errors.New("invalid dataset request")

// Dataset fetches the dataset called name with all its items, page by
// page. An unknown dataset is an error wrapping ErrNotFound; a client
// without API keys, one wrapping ErrNoKeys; any other failed answer, an
// *APIError. Requests that Langfuse answers 429 (after its Retry-After)
// or 5xx are made again, three times at most; each is bounded by the
// configured timeout (LANGFUSE_TIMEOUT) and all by ctx.
func (c *Client) Dataset(ctx context.Context, name string, opts ...DatasetOption) (*Dataset, error) {
	s := datasetSettings{pageSize: defaultDatasetPage}
	for _, o := range opts {
		if o != nil {
			o.applyDataset(&s)
		}
	}
	if name == "" {
		return nil, fmt.Errorf("langfuse: %w: a dataset name is required", ErrInvalidDataset)
	}
	if s.pageSize < 1 || s.pageSize > maxDatasetPageSize {
		return nil, fmt.Errorf("langfuse: %w: page size %d is not in [1, %d]", ErrInvalidDataset, s.pageSize, maxDatasetPageSize)
	}
	a, err := c.api()
	if err != nil {
		return nil, err
	}
	var wd wireDataset
	if err := a.call(ctx, "GET "+datasetsPath+"/{name}", http.MethodGet, datasetsPath+"/"+url.PathEscape(name), nil, nil, &wd); err != nil {
		return nil, err
	}
	ds := wd.dataset()
	ds.Version = s.version
	for page := 1; ; page++ {
		q := url.Values{"datasetName": {name}, "page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(s.pageSize)}}
		if !s.version.IsZero() {
			q.Set("version", s.version.UTC().Format(versionTimestampForm))
		}
		var wp struct {
			Data []wireItem `json:"data"`
			Meta struct {
				TotalPages int `json:"totalPages"`
			} `json:"meta"`
		}
		if err := a.call(ctx, "GET "+datasetItemsPath, http.MethodGet, datasetItemsPath, q, nil, &wp); err != nil {
			return nil, fmt.Errorf("%w (page %d of dataset %q)", err, page, name)
		}
		for _, wi := range wp.Data {
			ds.Items = append(ds.Items, wi.item())
		}
		// An empty page ends the listing whatever the total says, so a
		// server that announces more pages than it has cannot keep the
		// loop going.
		if len(wp.Data) == 0 || page >= wp.Meta.TotalPages {
			return ds, nil
		}
	}
}

// GetDataset is Client.Dataset through the client bound to ctx
// (Client.Context, langfusetest.New), else the default client; with
// neither it returns an error wrapping ErrNoKeys.
func GetDataset(ctx context.Context, name string, opts ...DatasetOption) (*Dataset, error) {
	return clientOf(ctx).Dataset(ctx, name, opts...)
}

// DatasetDraft is a dataset to create.
type DatasetDraft struct {
	Name        string
	Description string
	Metadata    any // encoded as JSON
	// InputSchema and ExpectedOutputSchema are JSON Schemas that Langfuse
	// checks the dataset's items against; nil for none.
	InputSchema          any
	ExpectedOutputSchema any
}

// CreateDataset creates the dataset d describes and returns it, without
// items. Langfuse answers a dataset of an existing name with that
// dataset. Errors as Dataset's; the request is made again only after a
// 429.
func (c *Client) CreateDataset(ctx context.Context, d DatasetDraft) (*Dataset, error) {
	if d.Name == "" {
		return nil, fmt.Errorf("langfuse: %w: a dataset name is required", ErrInvalidDataset)
	}
	a, err := c.api()
	if err != nil {
		return nil, err
	}
	body := map[string]any{"name": d.Name}
	putIf(body, "description", d.Description, d.Description != "")
	putIf(body, "metadata", d.Metadata, d.Metadata != nil)
	putIf(body, "inputSchema", d.InputSchema, d.InputSchema != nil)
	putIf(body, "expectedOutputSchema", d.ExpectedOutputSchema, d.ExpectedOutputSchema != nil)
	var wd wireDataset
	if err := a.call(ctx, "POST "+datasetsPath, http.MethodPost, datasetsPath, nil, body, &wd); err != nil {
		return nil, err
	}
	return wd.dataset(), nil
}

// DatasetItemDraft is an item to add to a dataset, or, with the ID of an
// item, its new content.
type DatasetItemDraft struct {
	DatasetName    string
	ID             string // "" lets Langfuse make one
	Input          any    // encoded as JSON
	ExpectedOutput any
	Metadata       any
	// SourceTraceID and SourceObservationID link the item to what it was
	// made from.
	SourceTraceID       string
	SourceObservationID string
	Status              string // "ACTIVE" (the default) or "ARCHIVED"
}

// CreateDatasetItem adds the item d describes to its dataset, or updates
// the item of d.ID, and returns it as stored. Errors as CreateDataset's.
func (c *Client) CreateDatasetItem(ctx context.Context, d DatasetItemDraft) (*DatasetItem, error) {
	if d.DatasetName == "" {
		return nil, fmt.Errorf("langfuse: %w: the item's dataset name is required", ErrInvalidDataset)
	}
	if d.Status != "" && d.Status != "ACTIVE" && d.Status != "ARCHIVED" {
		return nil, fmt.Errorf("langfuse: %w: status %q is not ACTIVE or ARCHIVED", ErrInvalidDataset, d.Status)
	}
	a, err := c.api()
	if err != nil {
		return nil, err
	}
	body := map[string]any{"datasetName": d.DatasetName}
	putIf(body, "id", d.ID, d.ID != "")
	putIf(body, "input", d.Input, d.Input != nil)
	putIf(body, "expectedOutput", d.ExpectedOutput, d.ExpectedOutput != nil)
	putIf(body, "metadata", d.Metadata, d.Metadata != nil)
	putIf(body, "sourceTraceId", d.SourceTraceID, d.SourceTraceID != "")
	putIf(body, "sourceObservationId", d.SourceObservationID, d.SourceObservationID != "")
	putIf(body, "status", d.Status, d.Status != "")
	var wi wireItem
	if err := a.call(ctx, "POST "+datasetItemsPath, http.MethodPost, datasetItemsPath, nil, body, &wi); err != nil {
		return nil, err
	}
	it := wi.item()
	return &it, nil
}

// DatasetRunItem links one trace of an experiment to the dataset item it
// ran, in the run RunName of the item's dataset.
type DatasetRunItem struct {
	RunName        string
	RunDescription string
	Metadata       any // the run's metadata, encoded as JSON
	DatasetItemID  string
	TraceID        string
	ObservationID  string    // the item's root observation
	DatasetVersion time.Time // the version the item was fetched at; zero for the latest
}

// CreateDatasetRunItem links r's trace to its dataset item in run
// r.RunName, creating the run with its first item, and returns the run's
// id, which names the experiment in Langfuse. Package experiment calls it
// for every item of a Langfuse dataset. Errors as CreateDataset's.
func (c *Client) CreateDatasetRunItem(ctx context.Context, r DatasetRunItem) (runID string, err error) {
	switch {
	case r.RunName == "":
		return "", fmt.Errorf("langfuse: %w: a run name is required", ErrInvalidDataset)
	case r.DatasetItemID == "":
		return "", fmt.Errorf("langfuse: %w: a dataset item id is required", ErrInvalidDataset)
	case r.TraceID == "" && r.ObservationID == "":
		return "", fmt.Errorf("langfuse: %w: a trace or observation id is required", ErrInvalidDataset)
	}
	a, err := c.api()
	if err != nil {
		return "", err
	}
	body := map[string]any{"runName": r.RunName, "datasetItemId": r.DatasetItemID}
	putIf(body, "runDescription", r.RunDescription, r.RunDescription != "")
	putIf(body, "metadata", r.Metadata, r.Metadata != nil)
	putIf(body, "traceId", r.TraceID, r.TraceID != "")
	putIf(body, "observationId", r.ObservationID, r.ObservationID != "")
	putIf(body, "datasetVersion", r.DatasetVersion.UTC().Format(versionTimestampForm), !r.DatasetVersion.IsZero())
	var out struct {
		DatasetRunID string `json:"datasetRunId"`
	}
	if err := a.call(ctx, "POST "+datasetRunItemsPath, http.MethodPost, datasetRunItemsPath, nil, body, &out); err != nil {
		return "", err
	}
	if out.DatasetRunID == "" {
		return "", fmt.Errorf("langfuse: POST %s: the answer names no datasetRunId", datasetRunItemsPath)
	}
	return out.DatasetRunID, nil
}

// CreateDatasetRunItem is Client.CreateDatasetRunItem through the client
// bound to ctx, else the default client.
func CreateDatasetRunItem(ctx context.Context, r DatasetRunItem) (string, error) {
	return clientOf(ctx).CreateDatasetRunItem(ctx, r)
}

func putIf(m map[string]any, key string, v any, ok bool) {
	if ok {
		m[key] = v
	}
}

// wireDataset and wireItem are the Dataset and DatasetItem objects of
// Langfuse's public API.
type wireDataset struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description *string         `json:"description"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
}

func (w wireDataset) dataset() *Dataset {
	d := &Dataset{ID: w.ID, Name: w.Name, Metadata: rawOrNil(w.Metadata), CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt}
	if w.Description != nil {
		d.Description = *w.Description
	}
	return d
}

type wireItem struct {
	ID                  string          `json:"id"`
	DatasetID           string          `json:"datasetId"`
	DatasetName         string          `json:"datasetName"`
	Status              string          `json:"status"`
	Input               json.RawMessage `json:"input"`
	ExpectedOutput      json.RawMessage `json:"expectedOutput"`
	Metadata            json.RawMessage `json:"metadata"`
	SourceTraceID       *string         `json:"sourceTraceId"`
	SourceObservationID *string         `json:"sourceObservationId"`
	CreatedAt           time.Time       `json:"createdAt"`
	UpdatedAt           time.Time       `json:"updatedAt"`
}

func (w wireItem) item() DatasetItem {
	it := DatasetItem{
		ID: w.ID, DatasetID: w.DatasetID, DatasetName: w.DatasetName, Status: w.Status,
		Input: rawOrNil(w.Input), ExpectedOutput: rawOrNil(w.ExpectedOutput), Metadata: rawOrNil(w.Metadata),
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
	if w.SourceTraceID != nil {
		it.SourceTraceID = *w.SourceTraceID
	}
	if w.SourceObservationID != nil {
		it.SourceObservationID = *w.SourceObservationID
	}
	return it
}

// rawOrNil is r, or nil for JSON null or nothing.
func rawOrNil(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || strings.TrimSpace(string(r)) == "null" {
		return nil
	}
	return r
}
