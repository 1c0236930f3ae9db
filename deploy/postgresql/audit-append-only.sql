-- After the first `fangkong migrate` (run as the owner; again after each upgrade that adds
-- audit tables): the app may add audit rows and seal them (UPDATE of seq and link), never
-- delete them, so a compromised app server cannot quietly remove its traces. The hash chain
-- (fangkong check, audit chain) still detects edits.
\connect fangkong
REVOKE DELETE, TRUNCATE ON core_auditlog, core_auditcheckpoint FROM fangkong_app;
