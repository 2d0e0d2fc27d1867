"""The supervisor queue (督办): escalations, 督办单, extension requests, 不满意 follow-ups, the sweeper."""
