DROP TABLE worker_heartbeats;
DROP TABLE ops_alert_throttle;
DROP TABLE ops_alerts;
