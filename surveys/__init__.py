"""Feedback surveys (CSAT, NPS, CES) and review requests: campaigns in careloop.yaml pick contacts through the one
contact policy and queue one outbox e-mail per person (campaigns), rendered at send time with one signed answer link
per score (compose, links); a click records the answer at once (answers, web); an unhappy answer becomes a
`survey_follow_up` item in the agents' queue (follow_up). KPIs are computed in reports/kpis.py."""
