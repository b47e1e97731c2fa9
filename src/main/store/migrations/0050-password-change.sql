-- Issue 14 item 5: a password set by someone else (the initial password an administrator gives, or a reset) must be
-- replaced by the user at their next sign-in. 1 = the next sign-in shows only the "choose a new password" screen.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));

-- An account inserted while another active administrator exists was created by that administrator (users.add,
-- `gliofuse users add`), so its password is the administrator's choice. The first-run administrator is inserted
-- when no other active administrator exists and keeps the password they chose themselves. A trigger rather than
-- an application-side UPDATE so the flag is set in the same statement as the insert, whatever code path inserts.
CREATE TRIGGER users_admin_chosen_password_must_change AFTER INSERT ON users
WHEN EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND active = 1 AND id <> NEW.id)
BEGIN
  UPDATE users SET must_change_password = 1 WHERE id = NEW.id;
END;
