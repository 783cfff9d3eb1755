-- Single sign-on: a group named by the identity provider grants a role and labels.
-- A signed-in user's role is the highest of their mapped groups, their labels the union.
CREATE TABLE sso_groups (
    group_name    VARCHAR PRIMARY KEY,       -- exactly as the provider spells it
    role          role_t NOT NULL,
    updated_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE sso_group_labels (
    group_name    VARCHAR NOT NULL,
    label         VARCHAR NOT NULL,
    PRIMARY KEY (group_name, label)
);
