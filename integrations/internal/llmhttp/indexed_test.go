package llmhttp_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/observe-go/langfuse/integrations/internal/llmhttp"
)

func TestBlocks(t *testing.T) {
	type block struct{ text string }
	var bs llmhttp.Blocks[block]
	assert.Nil(t, bs.Content(nil))
	assert.Nil(t, bs.At(0))

	first := bs.Start(nil, 1)
	first.text = "b"
	assert.Same(t, first, bs.At(1))
	assert.Nil(t, bs.At(0), "an index skipped is empty")
	render := func(b *block) map[string]any { return map[string]any{"text": b.text} }
	assert.Equal(t, []map[string]any{{"text": "b"}}, bs.Content(render), "an index skipped has no block")
	bs.Start(nil, 0).text = "a"
	assert.Equal(t, []map[string]any{{"text": "a"}, {"text": "b"}}, bs.Content(render), "in the order of the indexes")

	again := bs.Start(nil, 1)
	assert.NotSame(t, first, again, "a start at an index makes a new block there")
	assert.Empty(t, again.text)

	assert.Nil(t, bs.Start(nil, -1))
	assert.Nil(t, bs.At(-1))
	assert.NotNil(t, bs.Start(nil, 2+63), "up to 64 past the last block")
	assert.Nil(t, bs.Start(nil, 66+64), "further out is out of reach")
	assert.Len(t, bs.Content(render), 3)

	keep := llmhttp.NewBudget(100)
	var small llmhttp.Blocks[block]
	assert.NotNil(t, small.Start(keep, 0), "a block's bookkeeping counts against the budget")
	assert.Nil(t, small.Start(keep, 1), "no room for another")
}

func TestBlocksGet(t *testing.T) {
	type block struct{ text string }
	var bs llmhttp.Blocks[block]
	b := bs.Get(nil, 2)
	b.text = "x"
	assert.Same(t, b, bs.Get(nil, 2), "the block made before")
	assert.Equal(t, []*block{nil, nil, b}, bs.All())
	assert.Nil(t, bs.Get(nil, 3+64), "out of reach")
}

func TestEntries(t *testing.T) {
	type entry struct{ text string }
	var es llmhttp.Entries[entry]
	assert.Nil(t, es.All())

	second := es.Get(nil, 7)
	second.text = "7"
	first := es.Get(nil, -3)
	assert.Same(t, second, es.Get(nil, 7), "the entry made before")
	assert.Equal(t, []*entry{second, first}, es.All(), "in the order they first appeared, any index")

	keep := llmhttp.NewBudget(100)
	var small llmhttp.Entries[entry]
	assert.NotNil(t, small.Get(keep, 1000000), "an entry's bookkeeping counts against the budget")
	assert.Nil(t, small.Get(keep, 1), "no room for another")
	assert.NotNil(t, small.Get(keep, 1000000), "one made before needs no room")
	assert.Len(t, small.All(), 1)
}
