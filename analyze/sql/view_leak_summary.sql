-- valgrind memcheck's LEAK SUMMARY: bytes and blocks per verdict, in its
-- order, counting usable bytes of used chunks.
CREATE VIEW leak_summary AS
WITH k(leak, label, ord) AS (
  VALUES ('definite', 'definitely lost', 1), ('indirect', 'indirectly lost', 2),
         ('possible', 'possibly lost', 3), ('reachable', 'still reachable', 4)
)
SELECT k.label AS kind, k.leak AS leak,
       COALESCE(sum(c.usable), 0) AS bytes, count(c.id) AS blocks
FROM k LEFT JOIN chunks c ON c.leak = k.leak AND c.state = 'used'
GROUP BY k.leak
ORDER BY k.ord;
