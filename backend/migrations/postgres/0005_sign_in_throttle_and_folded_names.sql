-- Sign-in throttling per (account, client) rather than per account: each attempt is reserved
-- (a row written before the password is checked, so concurrent guesses count), and a success
-- removes its own row by its attempt token. `account` lets an admin clear one account's rows.
ALTER TABLE login_failures ADD COLUMN attempt TEXT NOT NULL DEFAULT '';
ALTER TABLE login_failures ADD COLUMN account TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_by_account ON login_failures(account);
-- User names are unique whatever their case: "Admin" cannot sit beside "admin".
CREATE UNIQUE INDEX users_name_folded ON users (lower(name));
