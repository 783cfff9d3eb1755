-- Workflow state (accounts, sign-in throttling, SSO mappings, alert statuses, budget
-- proposals and approvers, the audit log) lives in the state database now (data/state), so
-- people can write it while batch work publishes new analytics versions. The old tables
-- are kept under legacy_ names: their rows are imported into the state database once
-- (data/state/legacy.py) and nothing reads them afterwards.
ALTER TABLE users RENAME TO legacy_users;
ALTER TABLE user_labels RENAME TO legacy_user_labels;
ALTER TABLE audit_log RENAME TO legacy_audit_log;
ALTER TABLE signin_throttle RENAME TO legacy_signin_throttle;
ALTER TABLE sso_groups RENAME TO legacy_sso_groups;
ALTER TABLE sso_group_labels RENAME TO legacy_sso_group_labels;
ALTER TABLE alert_status RENAME TO legacy_alert_status;
ALTER TABLE budget_proposals RENAME TO legacy_budget_proposals;
ALTER TABLE budget_approvers RENAME TO legacy_budget_approvers;
