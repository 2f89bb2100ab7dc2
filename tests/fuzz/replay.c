/*
 * replay.c - runs a fuzz target over a corpus without libFuzzer, so every normal and
 * sanitizer build replays the corpora as a test: `fuzz_X DIR_OR_FILE...` feeds each file to
 * LLVMFuzzerTestOneInput once. The same targets link against libFuzzer in the fuzz build
 * (meson option fuzz=true, `make fuzz`), where this file is left out.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data;
    long n;
    if (f == NULL)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    data = malloc((size_t)n + 1);
    if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)n);
    free(data);
    return 0;
}

int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
        if (S_ISDIR(sb.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            while (d && (e = readdir(d)) != NULL) {
                char path[4096];
                if (e->d_name[0] == '.')
                    continue;
                snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
                if (replay_file(path) != 0) {
                    fprintf(stderr, "replay: cannot read %s\n", path);
                    return 1;
                }
                count++;
            }
            if (d)
                closedir(d);
        } else {
            if (replay_file(argv[i]) != 0)
                return 1;
            count++;
        }
    }
    printf("1..1\nok 1 - replayed %d inputs\n", count);
    return 0;
}
