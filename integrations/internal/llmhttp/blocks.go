package llmhttp

// maxBlockGap is how far past the last block an index may point; an
// event further out is ignored rather than allocated for.
const maxBlockGap = 64

// blockCost is what a new block counts against the budget beside its
// content: its bookkeeping, so that a stream of ever new blocks is
// bounded like one of ever more text.
const blockCost = 64

// Blocks are the content blocks of a streamed answer, each at the index
// its events give it (Anthropic's index, Converse's contentBlockIndex).
// An index is a number from outside: one more than 64 past the last
// block is out of reach, so that no event makes the list long. The zero
// value is empty and ready to use.
type Blocks[T any] struct{ list []*T }

// At returns the block at index i; nil when none was made there.
func (b *Blocks[T]) At(i int) *T {
	if i < 0 || i >= len(b.list) {
		return nil
	}
	return b.list[i]
}

// Start makes a new, zero block at index i, in place of any there, when
// i is within reach and keep has room for the block's bookkeeping; nil
// when not.
func (b *Blocks[T]) Start(keep *Budget, i int) *T {
	if i < 0 || i >= len(b.list)+maxBlockGap || !keep.Take(blockCost) {
		return nil
	}
	for i >= len(b.list) {
		b.list = append(b.list, nil)
	}
	b.list[i] = new(T)
	return b.list[i]
}

// Content returns the blocks made, in the order of their indexes, each
// as render makes it: the content array of the message they come to; nil
// when there are none.
func (b *Blocks[T]) Content(render func(*T) map[string]any) []map[string]any {
	if len(b.list) == 0 {
		return nil
	}
	out := make([]map[string]any, 0, len(b.list))
	for _, x := range b.list {
		if x != nil {
			out = append(out, render(x))
		}
	}
	return out
}
