package commands

import (
	"container/list"
	"sync"

	"docledger/domain/event"
)

// StreamCache keeps the decoded events of recently used streams, bounded by
// a number of streams (least recently used first out). It is the repository's
// snapshot hook: a command on a cached aggregate skips reading its stream,
// and a stale entry costs one conflict and a reload, never a wrong write,
// because every append states the version it was decided at.
type StreamCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
}

type cached struct {
	stream   string
	version  int64
	payloads []event.Payload
}

// NewStreamCache returns a cache of at most max streams.
func NewStreamCache(max int) *StreamCache {
	return &StreamCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *StreamCache) get(stream string) (int64, []event.Payload, bool) {
	if c == nil {
		return 0, nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[stream]
	if !ok {
		return 0, nil, false
	}
	c.order.MoveToFront(el)
	e := el.Value.(*cached)
	return e.version, e.payloads[:len(e.payloads):len(e.payloads)], true
}

func (c *StreamCache) put(stream string, version int64, payloads []event.Payload) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[stream]; ok {
		e := el.Value.(*cached)
		if version > e.version {
			e.version, e.payloads = version, payloads
		}
		c.order.MoveToFront(el)
		return
	}
	c.items[stream] = c.order.PushFront(&cached{stream: stream, version: version, payloads: payloads})
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*cached).stream)
	}
}

func (c *StreamCache) forget(stream string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[stream]; ok {
		c.order.Remove(el)
		delete(c.items, stream)
	}
}
