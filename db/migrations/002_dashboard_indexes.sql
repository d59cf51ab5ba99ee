-- Indexes for the dashboard's anomaly table: sorting by amount without a
-- full sort, filtering by label state, and risk + location counts.
create index frauds_amount on frauds (amount desc, transaction_id desc);
create index frauds_labelled on frauds (detection_time desc) where is_confirmed_fraud is not null;
create index frauds_risk_location on frauds (risk_level, location, detection_time desc);
