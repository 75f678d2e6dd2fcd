-- The 1M-job table 'oban dash' was measured on (README, "The terminal dashboard"): into a migrated
-- scratch database, e.g. psql -d dash_bench -f bench/dash-1m.sql, then VACUUM ANALYZE oban_jobs.
-- 88% completed, 5% available, 2% scheduled, 1% retryable, 2% discarded, 2% cancelled, over 10 queues.
INSERT INTO oban_jobs (state, queue, worker, args, meta, tags, attempt, max_attempts, priority, inserted_at, scheduled_at, attempted_at, completed_at, discarded_at, cancelled_at, attempted_by, errors)
SELECT s.state::oban_job_state, 'queue_' || (n % 10), 'MyApp.Worker' || (n % 7),
       jsonb_build_object('id', n, 'email', 'user_' || n || '@example.com'), '{}'::jsonb, ARRAY['t' || (n % 5)],
       CASE WHEN s.state IN ('available','scheduled') THEN 0 ELSE 1 END, 20, n % 4,
       now() AT TIME ZONE 'UTC' - interval '1 day' + (n * interval '80 ms'),
       CASE WHEN s.state = 'scheduled' THEN now() AT TIME ZONE 'UTC' + interval '1 hour' ELSE now() AT TIME ZONE 'UTC' - interval '1 day' + (n * interval '80 ms') END,
       CASE WHEN s.state IN ('available','scheduled') THEN NULL ELSE now() AT TIME ZONE 'UTC' - interval '1 day' + (n * interval '80 ms') END,
       CASE WHEN s.state = 'completed' THEN now() AT TIME ZONE 'UTC' - interval '1 day' + (n * interval '80 ms') + interval '1 s' END,
       CASE WHEN s.state = 'discarded' THEN now() AT TIME ZONE 'UTC' - interval '1 day' + (n * interval '80 ms') + interval '1 s' END,
       CASE WHEN s.state = 'cancelled' THEN now() AT TIME ZONE 'UTC' - interval '1 day' + (n * interval '80 ms') + interval '1 s' END,
       CASE WHEN s.state IN ('available','scheduled') THEN NULL ELSE ARRAY['bench', 'x'] END,
       CASE WHEN s.state IN ('retryable','discarded') THEN ARRAY[jsonb_build_object('attempt', 1, 'at', now(), 'error', 'boom')] ELSE ARRAY[]::jsonb[] END
FROM generate_series(1, 1000000) AS n
CROSS JOIN LATERAL (SELECT CASE
  WHEN n % 100 < 88 THEN 'completed'
  WHEN n % 100 < 93 THEN 'available'
  WHEN n % 100 < 95 THEN 'scheduled'
  WHEN n % 100 < 96 THEN 'retryable'
  WHEN n % 100 < 98 THEN 'discarded'
  ELSE 'cancelled' END AS state) AS s;
ANALYZE oban_jobs;
