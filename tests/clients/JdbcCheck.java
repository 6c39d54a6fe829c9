// Runs each line of queries.sql through pgjdbc (the driver Tableau uses), with prepared
// statements, and prints the rows tab-separated, for comparison with psql's output.
// Usage: java -cp /usr/share/java/postgresql.jar:. JdbcCheck jdbc:postgresql://127.0.0.1:5499/db queries.sql
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;

public class JdbcCheck {
    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], "postgres", "")) {
            for (String sql : Files.readAllLines(Paths.get(args[1]))) {
                if (sql.isBlank()) continue;
                try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        StringBuilder line = new StringBuilder();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            if (i > 1) line.append('\t');
                            line.append(rs.getString(i));
                        }
                        System.out.println(line);
                    }
                }
            }
        }
    }
}
