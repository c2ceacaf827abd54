package commands

import (
	"container/list"
	"sync"
)

// StreamCache keeps the histories (latest snapshot and decoded events since)
// of recently used streams, bounded by a number of streams (least recently
// used first out). A command on a cached aggregate skips reading its stream;
// a stale entry costs one conflict and a reload, never a wrong write, because
// every append states the version it was decided at.
type StreamCache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
}

type cached struct {
	stream  string
	version int64
	history history
}

// NewStreamCache returns a cache of at most max streams.
func NewStreamCache(max int) *StreamCache {
	return &StreamCache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *StreamCache) get(stream string) (int64, history, bool) {
	if c == nil {
		return 0, history{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[stream]
	if !ok {
		return 0, history{}, false
	}
	c.order.MoveToFront(el)
	e := el.Value.(*cached)
	h := e.history
	h.payloads = h.payloads[:len(h.payloads):len(h.payloads)] // appends copy
	return e.version, h, true
}

func (c *StreamCache) put(stream string, version int64, h history) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[stream]; ok {
		e := el.Value.(*cached)
		if version > e.version {
			e.version, e.history = version, h
		}
		c.order.MoveToFront(el)
		return
	}
	c.items[stream] = c.order.PushFront(&cached{stream: stream, version: version, history: h})
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
