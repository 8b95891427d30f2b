/* word_count: a plugin in plain C99 against faktory/plugin.h alone.
 * "CountWords" ["some text"] logs the number of words in its first argument and
 * FAILs (errtype "ArgumentError") when that is not a string. */
#include <faktory/plugin.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The host table stays valid while the plugin is loaded. */
static const faktory_host_api* host;

static int count_words(faktory_job* job, void* user_data) {
    faktory_value text;
    size_t words = 0;
    size_t i;
    int in_word = 0;
    char line[96];
    (void)user_data;

    memset(&text, 0, sizeof text);
    text.size = sizeof text;
    if (host->arg(job, 0, &text) != FAKTORY_OK || text.type != FAKTORY_VALUE_STRING) {
        host->fail(job, "ArgumentError", "argument 0: expected string", NULL, 0);
        return FAKTORY_ERROR;
    }
    for (i = 0; i < text.text.size; ++i) {
        const int space = isspace((unsigned char)text.text.data[i]);
        if (!space && !in_word) ++words;
        in_word = !space;
    }
    snprintf(line, sizeof line, "%lu words", (unsigned long)words);
    host->log(job, FAKTORY_LOG_INFO, line);
    return FAKTORY_OK;
}

const faktory_plugin_info* faktory_plugin_query(void) {
    static const faktory_plugin_info info = {sizeof(faktory_plugin_info), FAKTORY_PLUGIN_ABI_MAJOR,
                                             FAKTORY_PLUGIN_ABI_MINOR, "word-count", "1.0.0"};
    return &info;
}

int faktory_plugin_init_v1(const faktory_init_args* args) {
    if (args->host->abi_major != FAKTORY_PLUGIN_ABI_MAJOR || args->host->size < sizeof(faktory_host_api)) {
        snprintf(args->error, args->error_size, "host API table too old for this plugin");
        return FAKTORY_ERROR;
    }
    host = args->host;
    if (host->register_handler(args->registrar, "CountWords", count_words, NULL, NULL) != FAKTORY_OK) {
        snprintf(args->error, args->error_size, "cannot register CountWords");
        return FAKTORY_ERROR;
    }
    return FAKTORY_OK;
}
