-- The one-time nonces that turn a log-in into the HttpOnly cookie (ui/web.py), here rather than in one process's
-- memory: with two app processes behind one address, the browser's request may reach either. Only the nonce's
-- SHA-256 is stored, beside the session token sealed with a key drawn from the nonce itself.
create table if not exists cookie_offers (
    nonce_sha256 varchar primary key,
    sealed       varchar not null,
    until        double precision not null
);
