// A day of plausible activity written with SQL, for the page tests and their
// screenshots: anomalies over 24 hours, one well-known user with a profile
// and scored history, three nodes (one silent), offsets and ground truth.
// Values derive from the row number, so every run writes the same rows.
import pg from "pg";

export const KNOWN_USER = "u-1042";

export async function seedRich(db: pg.Pool): Promise<void> {
  await db.query("select rtad_ensure_partitions((now() - interval '8 days')::date, (now() + interval '1 day')::date)");
  await db.query(`
    insert into frauds (transaction_id, user_id, amount, currency, location, timestamp, transaction_type,
      merchant_id, merchant_name, merchant_category, payment_method, device_type, ip_address,
      is_confirmed_fraud, detection_score, risk_level, detection_time, detection_features, model_used, threshold,
      explanation, ground_truth, node, kafka_partition, kafka_offset)
    select 'tx-' || lpad(i::text, 6, '0'),
           case when i % 9 = 0 then '${KNOWN_USER}' else 'u-' || (1000 + (i * 37) % 400) end,
           round((20 + ((i * 7919) % 4800) * (1 + (i % 3)))::numeric, 2),
           'EUR',
           (array['DE','FR','GB','ES','IT','NL','US','BR','NG','PL'])[1 + ((i * 13) % 10) * ((i * 13) % 10) / 10],
           now() - (i * 203 % 86400) * interval '1 second' - interval '2 seconds',
           'purchase', 'm-' || (i % 50), 'Merchant ' || (i % 50),
           (array['electronics','travel','gambling','grocery','fashion','crypto'])[1 + (i * 7) % 6],
           'card', (array['mobile','desktop','tablet'])[1 + i % 3], '198.51.100.' || (i % 250),
           case when i % 11 = 0 then true when i % 7 = 0 then false else null end,
           0.6 + ((i * 31) % 40) / 100.0,
           case when (i * 31) % 40 >= 28 then 'high' when (i * 31) % 40 >= 12 then 'medium' else 'low' end,
           now() - (i * 203 % 86400) * interval '1 second',
           jsonb_build_array(
             jsonb_build_object('feature', 'amount_vs_usual', 'value', 12.4, 'usual', '0.5 – 2.1', 'contribution', 0.41),
             jsonb_build_object('feature', 'new_country', 'value', 1, 'usual', 0, 'contribution', 0.22)),
           (array['user','user','blend','global'])[1 + i % 4],
           0.6,
           'amount ' || (20 + ((i * 7919) % 4800)) || '.00 vs usual 12-180; first purchase in this country',
           case when i % 5 = 0 then false else true end,
           (array['node-a','node-b'])[1 + i % 2], i % 6, 100000 + i
      from generate_series(1, 420) i`);
  // The known user's scored history: three days, mostly quiet, a few flagged.
  await db.query(`
    insert into transactions (transaction_id, timestamp, user_id, amount, currency, location, transaction_type,
      merchant_id, merchant_name, merchant_category, payment_method, device_type, ip_address, score, threshold,
      is_anomaly, model_used, ground_truth, node, kafka_partition, kafka_offset)
    select 'h-' || i, now() - (i * 1271 % (3 * 86400)) * interval '1 second', '${KNOWN_USER}',
           round((15 + (i * 17) % 160)::numeric, 2), 'EUR', case when i % 23 = 0 then 'BR' else 'DE' end, 'purchase',
           'm-' || (i % 8), (array['Rewe','Lidl','DB Bahn','Spotify','Amazon','Aral','Edeka','Zalando'])[1 + i % 8],
           (array['grocery','grocery','travel','digital','electronics','fuel','grocery','fashion'])[1 + i % 8],
           'card', 'mobile', '203.0.113.7',
           case when i % 23 = 0 then 0.7 + (i % 5) / 20.0 else 0.3 + ((i * 29) % 25) / 100.0 end,
           case when i < 120 then 0.62 else 0.65 end,
           i % 23 = 0, case when i < 40 then 'blend' else 'user' end,
           i % 23 = 0, 'node-a', 3, 5000 + i
      from generate_series(1, 220) i`);
  // Scored transactions of everyone over a week, with ground truth, for Quality.
  await db.query(`
    insert into transactions (transaction_id, timestamp, user_id, amount, currency, location, transaction_type,
      score, threshold, is_anomaly, model_used, ground_truth, node)
    select 'q-' || i, now() - (i * 97 % (7 * 86400)) * interval '1 second', 'u-' || (1000 + i % 400),
           round((10 + i % 300)::numeric, 2), 'EUR', 'DE', 'purchase',
           s, 0.6, s >= 0.6, 'user', (s >= 0.72 and i % 4 <> 0) or (s < 0.6 and i % 97 = 0), 'node-b'
      from generate_series(1, 6000) i, lateral (select least(0.99, 0.25 + power(((i * 7919) % 1000) / 1000.0, 3) * 0.8) as s) x`);
  await db.query(
    `insert into user_profiles (user_id, node, model_version, history_size, trees, threshold, last_retrain, last_transaction_at, summary, checkpoint)
     values ($1, 'node-a', 37, 256, 100, 0.65, now() - interval '3 hours', now() - interval '4 minutes', $2, decode(repeat('ab', 18000), 'hex'))`,
    [
      KNOWN_USER,
      JSON.stringify({
        countries: { DE: 212, AT: 6, BR: 2 },
        categories: [{ name: "grocery", share: 0.41 }, { name: "travel", share: 0.14 }, { name: "digital", share: 0.13 }, { name: "fuel", share: 0.12 }, { name: "fashion", share: 0.1 }, { name: "electronics", share: 0.1 }],
        amount_range: { min: 12, max: 180, median: 46.5, currency: "EUR" },
        active_hours: [0, 0, 0, 0, 0, 1, 3, 9, 14, 11, 8, 9, 15, 12, 8, 7, 9, 13, 18, 16, 11, 6, 3, 1],
      }),
    ],
  );
  await db.query(`
    insert into node_status (node, host, pid, mode, state, started_at, heartbeat_at, admin_endpoint, partitions,
      active_profiles, memory_bytes, transactions_total, anomalies_total, quarantined_total, transactions_per_s,
      consumer_lag, rebalances, last_rebalance_at, last_rebalance_ms, last_rebalance_users)
    values
      ('node-a', 'fraud-1', 4121, 'enhanced', 'running', now() - interval '26 hours', now() - interval '2 seconds', '127.0.0.1:4242', '{0,1,2}',
       8123, 412000000, 18400211, 21377, 3, 1834.5, 120, 2, now() - interval '3 hours', 840, 1240),
      ('node-b', 'fraud-2', 3990, 'enhanced', 'running', now() - interval '26 hours', now() - interval '1 seconds', '127.0.0.1:4243', '{3,4,5}',
       7988, 398000000, 18211003, 20911, 0, 1790.2, 95, 2, now() - interval '3 hours', 910, 1198),
      ('node-c', 'fraud-3', 2211, 'enhanced', 'running', now() - interval '3 hours', now() - interval '6 minutes', '127.0.0.1:4244', '{}',
       0, 120000000, 120, 0, 0, 0, 0, 1, now() - interval '3 hours', 1200, 0)`);
  await db.query(`
    insert into kafka_offsets (consumer_group, topic, kafka_partition, next_offset, node, updated_at)
    select 'rtad', 'transactions', p, 3000000 + p * 12345, case when p < 3 then 'node-a' else 'node-b' end, now() - interval '1 second'
      from generate_series(0, 5) p`);
  await db.query(`
    insert into labels (transaction_id, user_id, label, note, analyst)
    select transaction_id, user_id, case when is_confirmed_fraud then 'confirmed_fraud' else 'false_positive' end,
           'checked with the card holder', 'dana'
      from frauds where is_confirmed_fraud is not null and transaction_id < 'tx-000060'`);
  await db.query("analyze");
}
