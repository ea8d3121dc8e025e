// The people of $users who exist, with their memberships and notification preferences.
UNWIND $users AS user_id
MATCH (u:User {id: user_id})
OPTIONAL MATCH (u)-[m:MEMBER_OF]->(w:Workspace)
RETURN u.id AS user, u.email AS email, u.deactivated_at IS NOT NULL AS deactivated,
       coalesce(u.notify_muted, []) AS muted, coalesce(u.notify_delivery, 'immediate') AS delivery,
       coalesce(u.notify_email, false) AS by_email,
       collect(CASE WHEN w IS NULL THEN null ELSE {
         workspace: w.id, role: m.role, tables: m.tables, pii: m.pii
       } END) AS memberships
