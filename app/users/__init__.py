"""The Users feature: account management for administrators, every change audited."""
