"""Users (admins only): add accounts, set role and labels, reset passwords, disable.

Every change goes through data.users via app.users.view and is written to the audit log.
"""

from __future__ import annotations

import streamlit as st

from app import state, url_state, widgets
from app.safe_text import code, md
from app.users import view as users_view
from data.users import MIN_PASSWORD, ROLES, UserError

scope = state.current_scope()
widgets.page_header("Users", "Accounts, roles and the labels each account can see.")
if scope.role != "admin":  # the router already hides this page; never trust that alone
    st.warning("This page is for administrators.", icon=":material/block:")
    st.stop()

flash = state.pop_flash("users")
if flash:
    st.success(flash, icon=":material/check_circle:")

my_labels = sorted(scope.labels)
accounts = users_view.list_users(scope)

with st.container(border=True):
    st.subheader("Accounts")
    widgets.table(
        accounts,
        key="users",
        file_name="users",
        column_config={
            "username": st.column_config.TextColumn("Username"),
            "role": st.column_config.TextColumn("Role"),
            "labels": st.column_config.TextColumn("Labels"),
            "disabled": st.column_config.CheckboxColumn("Disabled"),
            "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD HH:mm"),
        },
    )

add_tab, edit_tab, log_tab = url_state.tabs(
    ["Add user", "Edit user", "Audit log"], param="tab", key="users_tab"
)

with add_tab, st.form("add_user", clear_on_submit=True):
    st.markdown("**New account**")
    c1, c2 = st.columns(2)
    new_name = c1.text_input("Username", help="2–64 letters, digits or _ . @ -")
    new_role = c2.selectbox("Role", ROLES, index=ROLES.index("viewer"))
    new_labels = st.multiselect("Labels", my_labels, placeholder="Choose one or more labels")
    p1, p2 = st.columns(2)
    new_pw = p1.text_input(
        "Password",
        type="password",
        help=f"At least {MIN_PASSWORD} characters, not a common password, not the user name.",
    )
    new_pw2 = p2.text_input("Repeat password", type="password")
    if st.form_submit_button("Add user", type="primary", icon=":material/person_add:"):
        try:
            if new_pw != new_pw2:
                raise UserError("the two passwords differ")
            users_view.add_user(scope, new_name, new_pw, new_role, new_labels)
        except UserError as exc:
            st.error(f"Could not add the user: {md(exc)}.", icon=":material/error:")
        else:
            state.flash("users", f"Added user {code(new_name.strip())} ({md(new_role)}).")
            st.rerun()

with edit_tab:
    names = list(accounts["username"])
    if not names:
        st.info("There are no accounts yet.")
    else:
        who = url_state.selectbox("Account", names, param="account", key="edit_user_name")
        row = accounts.set_index("username").loc[who]
        current_labels = [lab for lab in str(row["labels"]).split(", ") if lab]
        hidden = [lab for lab in current_labels if lab not in my_labels]
        with st.form(f"edit_user_{who}"):
            c1, c2 = st.columns(2)
            role = c1.selectbox("Role", ROLES, index=ROLES.index(str(row["role"])))
            disabled = c2.toggle(
                "Disabled", value=bool(row["disabled"]), help="A disabled account cannot sign in."
            )
            labels = st.multiselect(
                "Labels", my_labels, default=[lab for lab in current_labels if lab in my_labels]
            )
            if hidden:
                st.caption(
                    f"This account also has {len(hidden)} label(s) you cannot see; "
                    "they are kept as they are."
                )
            new_pw = st.text_input(
                "New password (leave empty to keep the current one)", type="password"
            )
            if st.form_submit_button("Save changes", type="primary", icon=":material/save:"):
                try:
                    users_view.update_user(
                        scope,
                        who,
                        role=role,
                        labels=labels,
                        password=new_pw or None,
                        disabled=disabled,
                    )
                except UserError as exc:
                    st.error(f"Could not save: {md(exc)}.", icon=":material/error:")
                else:
                    state.flash("users", f"Saved changes to {code(who)}.")
                    st.rerun()

with log_tab:
    log = users_view.user_audit(scope)
    if log.empty:
        st.info("No user changes have been recorded yet.")
    else:
        widgets.table(
            log[["logged_at", "actor", "action", "entity_id", "before", "after"]],
            key="user_audit",
            file_name="user-audit-log",
            column_config={
                "logged_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm:ss"),
                "actor": st.column_config.TextColumn("By"),
                "action": st.column_config.TextColumn("Action"),
                "entity_id": st.column_config.TextColumn("User"),
                "before": st.column_config.TextColumn("Before"),
                "after": st.column_config.TextColumn("After"),
            },
        )
