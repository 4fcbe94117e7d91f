package llmhttp

// maxBlockGap is how far past the last block an index may point; an
// event further out is ignored rather than allocated for.
const maxBlockGap = 64

// entryCost is what a new block or entry counts against the budget
// beside its content: its bookkeeping, so that a stream of ever new
// indexes is bounded like one of ever more text.
const entryCost = 64

// Blocks are the parts of a streamed answer that its events place by an
// index into one list (Anthropic's content blocks, Converse's
// contentBlockIndex, the Responses API's output_index). An index is a
// number from outside: one more than 64 past the last block is out of
// reach, so that no event makes the list long. The zero value is empty
// and ready to use.
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
	if i < 0 || i >= len(b.list)+maxBlockGap || !keep.Take(entryCost) {
		return nil
	}
	for i >= len(b.list) {
		b.list = append(b.list, nil)
	}
	b.list[i] = new(T)
	return b.list[i]
}

// Get returns the block at index i, started when there is none.
func (b *Blocks[T]) Get(keep *Budget, i int) *T {
	if x := b.At(i); x != nil {
		return x
	}
	return b.Start(keep, i)
}

// All returns the blocks in the order of their indexes, nil at an index
// where none was made; nil when there are none.
func (b *Blocks[T]) All() []*T { return b.list }

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

// Entries are the parts of a streamed answer that its chunks name by an
// index of their own (choices, candidates, tool calls), kept in the
// order they first appeared. An index may be any number: each new one
// counts its bookkeeping against the budget, which bounds how many there
// are. The zero value is empty and ready to use.
type Entries[T any] struct {
	list    []*T
	byIndex map[int]*T
}

// Get returns the entry of index i, made when it is new and keep has
// room for its bookkeeping; nil when it is new and there is no room.
func (e *Entries[T]) Get(keep *Budget, i int) *T {
	if x, ok := e.byIndex[i]; ok {
		return x
	}
	if !keep.Take(entryCost) {
		return nil
	}
	if e.byIndex == nil {
		e.byIndex = make(map[int]*T, 1)
	}
	x := new(T)
	e.byIndex[i] = x
	e.list = append(e.list, x)
	return x
}

// All returns the entries in the order they first appeared.
func (e *Entries[T]) All() []*T { return e.list }
