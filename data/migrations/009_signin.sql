-- Failed sign-ins, counted per account name and per client (IP address, or browser session
-- when there is none), so guessing passwords is slowed down across every app process.
-- Names that match no account are counted too: a lockout must not reveal which exist.
CREATE TABLE signin_throttle (
    kind          VARCHAR NOT NULL,          -- user | client
    key           VARCHAR NOT NULL,          -- the user name as typed, or the client id
    window_start  TIMESTAMP NOT NULL,        -- first failure of the current counting window
    failures      INTEGER NOT NULL,          -- failures since window_start
    lockouts      INTEGER NOT NULL DEFAULT 0,-- lockouts so far; each one lasts longer
    locked_until  TIMESTAMP,                 -- refused without a password check until then
    last_failure  TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, key)
);
