-- Created after the bulk insert: building an index once is far cheaper than
-- keeping it up to date row by row.
CREATE INDEX chunks_mem ON chunks(mem);
CREATE INDEX chunks_state ON chunks(state, size);
CREATE INDEX chunks_arena ON chunks(arena_id);
CREATE INDEX refs_to ON refs(to_chunk);
CREATE INDEX refs_from ON refs(from_chunk);
CREATE INDEX segments_start ON segments(start);
