-- Start-up reads every workflow transition of the history (the index's
-- timelines, for response times); transitions are a small part of the
-- history, whose creation entries carry whole geometries, so they get an
-- index of their own instead of a scan of the whole table.

CREATE INDEX priority_history_transitions ON priority_history (seq)
    WHERE action = 'transition';
