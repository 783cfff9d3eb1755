-- Campaign outcomes: the lift of a campaign is its window's own estimate pooled with what
-- the territory and platform usually return (analytics/campaigns/pooling.py); the window's
-- own estimate (observed minus counterfactual, before pooling) is kept beside it.
ALTER TABLE campaign_lift ADD COLUMN window_streams DOUBLE;
