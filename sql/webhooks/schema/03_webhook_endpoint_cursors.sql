-- How far each endpoint's deliveries were created: events after through_event_seq get a
-- delivery at the next delivery pass, so a pass reads only the events written since.
CREATE TABLE IF NOT EXISTS webhook_endpoint_cursors (
    endpoint_id        VARCHAR PRIMARY KEY,  -- the endpoint's id in services.json (we_...)
    through_event_seq  BIGINT NOT NULL       -- webhook_events.event_seq covered
)
