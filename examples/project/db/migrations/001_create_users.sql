-- A new table: nothing can be using it yet, so no lock or rewrite concern.
CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  full_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
