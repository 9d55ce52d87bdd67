package dev.chatws.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Draws added chunk latency (p50, p99) and the floor's p99 against concurrent streams, as a PNG. */
final class Plot {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 520;
    private static final int LEFT = 80;
    private static final int RIGHT = 40;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;

    private Plot() {
    }

    static void write(Path file, Map<Integer, Stats> added, Map<Integer, Stats> floor, int paceMs) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        List<Integer> levels = new ArrayList<>(added.keySet());
        double top = 1;
        for (int level : levels) {
            top = Math.max(top, Math.max(added.get(level).p99(), floor.get(level).p99()));
        }
        top = niceCeiling(top);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Chunk latency added by the relay, " + paceMs + " ms pace", LEFT, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, HEIGHT - BOTTOM);
        for (int tick = 0; tick <= 5; tick++) {
            double value = top * tick / 5;
            int y = y(value, top);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT + 1, y, WIDTH - RIGHT, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(java.util.Locale.ROOT, "%.1f ms", value), 10, y + 4);
        }
        for (int i = 0; i < levels.size(); i++) {
            g.drawString(String.valueOf(levels.get(i)), x(i, levels.size()) - 12, HEIGHT - BOTTOM + 20);
        }
        g.drawString("concurrent streams", WIDTH / 2 - 50, HEIGHT - 25);
        line(g, levels, added, true, top, new Color(31, 119, 180), "added p50", 0);
        line(g, levels, added, false, top, new Color(214, 39, 40), "added p99", 1);
        line(g, levels, floor, false, top, new Color(150, 150, 150), "floor p99 (upstream → client, direct)", 2);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void line(Graphics2D g, List<Integer> levels, Map<Integer, Stats> stats, boolean p50, double top, Color color,
            String label, int row) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2.5f));
        for (int i = 0; i < levels.size(); i++) {
            Stats s = stats.get(levels.get(i));
            int y = y(Math.max(0, p50 ? s.p50() : s.p99()), top);
            g.fillOval(x(i, levels.size()) - 4, y - 4, 8, 8);
            if (i > 0) {
                Stats previous = stats.get(levels.get(i - 1));
                g.drawLine(x(i - 1, levels.size()), y(Math.max(0, p50 ? previous.p50() : previous.p99()), top), x(i, levels.size()), y);
            }
        }
        g.fillRect(LEFT + 20, TOP + 10 + row * 18, 14, 4);
        g.drawString(label, LEFT + 40, TOP + 16 + row * 18);
    }

    private static int x(int index, int count) {
        return LEFT + 30 + index * (WIDTH - LEFT - RIGHT - 60) / Math.max(1, count - 1);
    }

    private static int y(double value, double top) {
        return HEIGHT - BOTTOM - (int) Math.round(value / top * (HEIGHT - BOTTOM - TOP));
    }

    private static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }
}
