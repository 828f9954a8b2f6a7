package io.mapcask;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every option of MapcaskConfig, so the docs cannot fall behind the code. */
class ConfigurationDocTest {

    private static String configurationDoc() throws IOException {
        String docsDir = System.getProperty("mapcask.docs.dir", "../docs");
        return Files.readString(Path.of(docsDir, "configuration.md"));
    }

    @Test
    void shouldDocumentEveryPropertyOfMapcaskConfig() throws Exception {
        String doc = configurationDoc();
        int seen = 0;
        for (Field f : MapcaskConfig.class.getFields()) {
            if (f.getName().endsWith("_PROP_NAME") && Modifier.isStatic(f.getModifiers())) {
                String property = (String) f.get(null);
                assertTrue(doc.contains("`" + property + "`"), property + " is missing from docs/configuration.md");
                seen++;
            }
        }
        assertTrue(seen >= 7, "expected at least 7 properties, found " + seen);
    }

    @Test
    void shouldListEveryOptionOfTheOptionTableInTheDocs() throws Exception {
        String doc = configurationDoc();
        for (MapcaskConfig.Option o : MapcaskConfig.OPTIONS) {
            assertTrue(doc.contains("`" + o.property() + "`"), o.property() + " is missing from docs/configuration.md");
        }
    }
}
