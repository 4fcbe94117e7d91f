package capture_test

import (
	"math/big"
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
