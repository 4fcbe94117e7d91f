package capture_test

import (
	"math/big"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/capture"
)

func TestMapKeysOfDifferentTypesWithTheSameTextAreOrdered(t *testing.T) {
	m := map[any]any{1: "int", "1": "string", 2.5: "float", "2.5": "text"}
	first := capture.JSON(m, capture.Options{})
	for range 50 {
		assert.Equal(t, first, capture.JSON(m, capture.Options{}), "the same text at every call")
	}
}

func TestNilPointerMarshalersAreNull(t *testing.T) {
	assert.Equal(t, `[null]`, capture.JSON([]*big.Float{nil}, capture.Options{}), "as encoding/json writes it")
	assert.Equal(t, `[null,"1.5"]`, capture.JSON([]*big.Float{nil, big.NewFloat(1.5)}, capture.Options{}))
	type withNil struct {
		F *big.Int `json:"f"`
	}
	assert.Equal(t, `{"f":null}`, capture.JSON(withNil{}, capture.Options{}))
}

func TestCaptureCostIsBoundedByTheLimitNotTheElementCount(t *testing.T) {
	big := make([]struct{}, 2<<20) // zero-size elements: no memory of their own
	got := capture.JSON(big, capture.Options{MaxBytes: 1024})
	assert.LessOrEqual(t, len(got), 1024+64)
	assert.Contains(t, got, "truncated")

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_ = capture.JSON(big, capture.Options{MaxBytes: 1024})
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated for 1 KiB of output")
}
