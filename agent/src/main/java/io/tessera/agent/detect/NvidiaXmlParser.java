package io.tessera.agent.detect;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Parses {@code nvidia-smi -q -x}. GPUs are indexed in document order (nvidia-smi's own order).
 * Only each GPU's direct fields are read, so MIG devices nested inside do not leak into it.
 * DTDs and external entities are refused.
 */
public final class NvidiaXmlParser {
    private NvidiaXmlParser() {
    }

    public static Parsed parse(String xml) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            f.setXIncludeAware(false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            return new Parsed(List.of(), List.of("nvidia-smi XML does not parse: " + e.getMessage()));
        }
        List<GpuReading> readings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int index = 0;
        for (Node n = doc.getDocumentElement().getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element gpu && gpu.getTagName().equals("gpu")) {
                String name = Values.text(text(gpu, "product_name"));
                if (name == null) {
                    problems.add("nvidia-smi XML GPU " + index + " has no product name");
                } else {
                    readings.add(reading(gpu, index, name));
                }
                index++;
            }
        }
        if (readings.isEmpty() && problems.isEmpty()) {
            problems.add("nvidia-smi XML lists no GPU");
        }
        return new Parsed(readings, problems);
    }

    private static GpuReading reading(Element gpu, int index, String name) {
        Double power = Values.number(text(gpu, "gpu_power_readings", "power_draw"));
        if (power == null) {
            power = Values.number(text(gpu, "gpu_power_readings", "instant_power_draw"));
        }
        if (power == null) {
            power = Values.number(text(gpu, "power_readings", "power_draw"));
        }
        Double ecc = sum(Values.number(text(gpu, "ecc_errors", "volatile", "dram_uncorrectable")),
                Values.number(text(gpu, "ecc_errors", "volatile", "sram_uncorrectable")));
        if (ecc == null) {
            ecc = Values.number(text(gpu, "ecc_errors", "volatile", "double_bit", "total"));
        }
        return new GpuReading(index, Values.text(text(gpu, "uuid")), name,
                Values.number(text(gpu, "fb_memory_usage", "total")), Values.number(text(gpu, "fb_memory_usage", "used")),
                Values.number(text(gpu, "utilization", "gpu_util")), Values.number(text(gpu, "temperature", "gpu_temp")),
                power, Values.ecc(ecc), Values.mig(text(gpu, "mig_mode", "current_mig")));
    }

    private static Double sum(Double a, Double b) {
        return a == null ? b : b == null ? a : a + b;
    }

    /** The text of the element at a path of direct children, or null. */
    private static String text(Element root, String... path) {
        Element cur = root;
        for (String step : path) {
            Element next = null;
            for (Node n = cur.getFirstChild(); n != null && next == null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(step)) {
                    next = e;
                }
            }
            if (next == null) {
                return null;
            }
            cur = next;
        }
        return cur.getTextContent();
    }
}
