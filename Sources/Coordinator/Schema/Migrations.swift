/// The Postgres schema, as numbered migrations applied in order by `Migrator`. A migration is never
/// edited once released: a change is a new migration at the end.
enum Migrations {
    struct Migration: Sendable {
        let version: Int
        let name: String
        /// One SQL statement each, run in one transaction with the version's row.
        let statements: [String]
    }

    static let all: [Migration] = [
        Migration(version: 1, name: "system of record", statements: [
            """
            CREATE TABLE courses (
                id text PRIMARY KEY,
                name text NOT NULL DEFAULT '',
                time_zone text NOT NULL DEFAULT 'UTC',
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE admin_tokens (
                id bigserial PRIMARY KEY,
                token_sha256 text NOT NULL UNIQUE,
                name text NOT NULL,
                role text NOT NULL CHECK (role IN ('staff', 'admin')),
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz
            )
            """,
            """
            CREATE TABLE staff_courses (
                token_id bigint NOT NULL REFERENCES admin_tokens (id),
                course_id text NOT NULL REFERENCES courses (id),
                PRIMARY KEY (token_id, course_id)
            )
            """,
            """
            CREATE TABLE students (
                course_id text NOT NULL REFERENCES courses (id),
                id text NOT NULL,
                name text NOT NULL DEFAULT '',
                email text NOT NULL DEFAULT '',
                PRIMARY KEY (course_id, id)
            )
            """,
            """
            CREATE TABLE groups (
                course_id text NOT NULL REFERENCES courses (id),
                name text NOT NULL,
                PRIMARY KEY (course_id, name)
            )
            """,
            """
            CREATE TABLE enrolments (
                course_id text NOT NULL,
                student_id text NOT NULL,
                group_name text,
                research_consent boolean NOT NULL DEFAULT false,
                enrolled_at timestamptz NOT NULL DEFAULT now(),
                dropped_at timestamptz,
                PRIMARY KEY (course_id, student_id),
                FOREIGN KEY (course_id, student_id) REFERENCES students (course_id, id),
                FOREIGN KEY (course_id, group_name) REFERENCES groups (course_id, name)
            )
            """,
            """
            CREATE TABLE keys (
                sha256 text PRIMARY KEY,
                key_id text NOT NULL,
                course_id text NOT NULL,
                student_id text NOT NULL,
                state text NOT NULL CHECK (state IN ('active', 'suspended', 'revoked')),
                created_at timestamptz NOT NULL DEFAULT now(),
                FOREIGN KEY (course_id, student_id) REFERENCES students (course_id, id)
            )
            """,
            "CREATE INDEX keys_by_student ON keys (course_id, student_id)",
            """
            CREATE TABLE key_events (
                id bigserial PRIMARY KEY,
                key_sha256 text NOT NULL REFERENCES keys (sha256),
                state text NOT NULL,
                reason text NOT NULL,
                actor text NOT NULL,
                at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE policies (
                course_id text NOT NULL REFERENCES courses (id),
                student_id text NOT NULL DEFAULT '',
                policy jsonb NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (course_id, student_id)
            )
            """,
            """
            CREATE TABLE grants (
                id bigserial PRIMARY KEY,
                course_id text NOT NULL,
                student_id text NOT NULL,
                period_index bigint NOT NULL,
                amount bigint NOT NULL CHECK (amount >= 0),
                reason text NOT NULL,
                source text NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'reserve')),
                actor text NOT NULL,
                at timestamptz NOT NULL DEFAULT now(),
                FOREIGN KEY (course_id, student_id) REFERENCES students (course_id, id)
            )
            """,
            """
            CREATE TABLE periods (
                course_id text NOT NULL,
                student_id text NOT NULL,
                period_index bigint NOT NULL,
                starts_at timestamptz NOT NULL,
                ends_at timestamptz NOT NULL,
                allocation bigint NOT NULL,
                carry_in bigint NOT NULL DEFAULT 0,
                granted bigint NOT NULL DEFAULT 0,
                used bigint NOT NULL DEFAULT 0,
                overspend bigint NOT NULL DEFAULT 0,
                closed_at timestamptz,
                PRIMARY KEY (course_id, student_id, period_index)
            )
            """,
            """
            CREATE TABLE content_blocks (
                sha256 text PRIMARY KEY,
                encoding text NOT NULL,
                raw_bytes integer NOT NULL,
                data bytea NOT NULL
            )
            """,
            """
            CREATE TABLE requests (
                id text NOT NULL,
                received_at timestamptz NOT NULL,
                course_id text,
                student_id text,
                key_id text NOT NULL,
                edge text NOT NULL,
                method text NOT NULL,
                path text NOT NULL,
                model text,
                status integer NOT NULL,
                stop_reason text,
                error_type text,
                input_tokens bigint NOT NULL,
                cache_write_5m_tokens bigint NOT NULL,
                cache_write_1h_tokens bigint NOT NULL,
                cache_read_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                charge bigint,
                cost_pico_usd bigint NOT NULL,
                estimated boolean NOT NULL,
                client_aborted boolean NOT NULL,
                ttfb_us bigint,
                total_us bigint NOT NULL,
                claude_code_session_id text,
                upstream_request_id text,
                request_bytes integer NOT NULL,
                response_bytes integer NOT NULL,
                ingested_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (id, received_at)
            ) PARTITION BY RANGE (received_at)
            """,
            "CREATE INDEX requests_by_student ON requests (course_id, student_id, received_at)",
            "CREATE INDEX requests_by_session ON requests (claude_code_session_id) WHERE claude_code_session_id IS NOT NULL",
            """
            CREATE TABLE incidents (
                id bigserial PRIMARY KEY,
                course_id text NOT NULL,
                student_id text NOT NULL,
                key_id text NOT NULL,
                request_id text NOT NULL,
                kind text NOT NULL,
                detected_at timestamptz NOT NULL,
                resolved_at timestamptz,
                resolution text
            )
            """,
            """
            CREATE TABLE audit_events (
                id bigserial PRIMARY KEY,
                at timestamptz NOT NULL DEFAULT now(),
                actor text NOT NULL,
                action text NOT NULL,
                target text NOT NULL,
                reason text NOT NULL DEFAULT '',
                details jsonb NOT NULL DEFAULT '{}'
            )
            """,
            """
            CREATE FUNCTION audit_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit events are append-only';
            END
            $$
            """,
            """
            CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_are_append_only()
            """,
        ]),
        Migration(version: 2, name: "request and response bodies as content blocks", statements: [
            "ALTER TABLE requests ADD COLUMN request_block text, ADD COLUMN response_block text",
        ]),
        Migration(version: 3, name: "lz4 for content blocks, where the server has it", statements: [
            // pglz spent more CPU than the rest of ingest together; a server built without lz4 keeps pglz.
            """
            DO $$
            BEGIN
                ALTER TABLE content_blocks ALTER COLUMN data SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN
                NULL;
            END
            $$
            """,
        ]),
        Migration(version: 4, name: "lease reconciliations", statements: [
            """
            CREATE TABLE lease_reconciliations (
                lease_id text PRIMARY KEY,
                course_id text NOT NULL,
                student_id text NOT NULL,
                charged bigint NOT NULL,
                source text NOT NULL CHECK (source IN ('record', 'estimate')),
                reconciled_at timestamptz NOT NULL DEFAULT now()
            )
            """,
        ]),
        Migration(version: 5, name: "leak incidents in full, and their alerts", statements: [
            """
            ALTER TABLE incidents
                ADD COLUMN fingerprint text NOT NULL DEFAULT '',
                ADD COLUMN family text NOT NULL DEFAULT 'other',
                ADD COLUMN location text NOT NULL DEFAULT '',
                ADD COLUMN action text NOT NULL DEFAULT 'blocked' CHECK (action IN ('blocked', 'forwarded')),
                ADD COLUMN edge text NOT NULL DEFAULT '',
                ADD COLUMN claude_code_session_id text,
                ADD COLUMN suspended_keys text[] NOT NULL DEFAULT '{}',
                ADD COLUMN owner_course_id text,
                ADD COLUMN owner_student_id text,
                ADD COLUMN resolved_by text
            """,
            // An edge ships a record again when it never heard back: the incident must not double.
            "CREATE UNIQUE INDEX incidents_once ON incidents (request_id, fingerprint)",
            "CREATE INDEX incidents_open ON incidents (course_id) WHERE resolved_at IS NULL",
            """
            CREATE TABLE alerts (
                id bigserial PRIMARY KEY,
                incident_id bigint NOT NULL REFERENCES incidents (id),
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                last_error text,
                delivered_at timestamptz
            )
            """,
            "CREATE INDEX alerts_due ON alerts (next_attempt_at) WHERE delivered_at IS NULL",
        ]),
        Migration(version: 6, name: "per-course secrets for research pseudonyms", statements: [
            """
            CREATE TABLE research_secrets (
                course_id text PRIMARY KEY,
                secret bytea NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
        ]),
        Migration(version: 7, name: "daily usage summary and dashboard sessions", statements: [
            """
            CREATE TABLE daily_usage (
                course_id text NOT NULL,
                student_id text NOT NULL,
                day date NOT NULL,
                requests bigint NOT NULL,
                refusals bigint NOT NULL,
                input_tokens bigint NOT NULL,
                cache_write_5m_tokens bigint NOT NULL,
                cache_write_1h_tokens bigint NOT NULL,
                cache_read_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                charge bigint NOT NULL,
                cost_pico_usd bigint NOT NULL,
                last_at timestamptz NOT NULL,
                PRIMARY KEY (course_id, student_id, day)
            )
            """,
            "CREATE INDEX daily_usage_by_day ON daily_usage (course_id, day)",
            """
            INSERT INTO daily_usage
            SELECT course_id, student_id, (received_at AT TIME ZONE 'UTC')::date, count(*), count(*) FILTER (WHERE status = 429),
                sum(input_tokens), sum(cache_write_5m_tokens), sum(cache_write_1h_tokens), sum(cache_read_tokens), sum(output_tokens),
                coalesce(sum(charge), 0), sum(cost_pico_usd), max(received_at)
            FROM requests WHERE course_id IS NOT NULL AND student_id IS NOT NULL GROUP BY 1, 2, 3
            """,
            """
            CREATE TABLE dashboard_sessions (
                id_sha256 text PRIMARY KEY,
                token_id bigint NOT NULL REFERENCES admin_tokens (id),
                expires_at timestamptz NOT NULL
            )
            """,
        ]),
        Migration(version: 8, name: "refused requests, indexed for the dashboard's limit history", statements: [
            "CREATE INDEX requests_refused ON requests (course_id, received_at) WHERE status = 429",
        ]),
        Migration(version: 9, name: "reserve draws in the grants ledger, once per request", statements: [
            "ALTER TABLE grants ADD COLUMN request_id text",
            "CREATE UNIQUE INDEX grants_by_request ON grants (request_id) WHERE request_id IS NOT NULL",
        ]),
    ]
}
