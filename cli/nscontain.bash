# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for nscontain(1)

__nscontain_names() {
        local IFS=: dir f n
        # The same search path as the config model (NSCONTAIN_CONFIG_PATH overrides it).
        for dir in ${NSCONTAIN_CONFIG_PATH:-/etc/nscontain.d:/run/nscontain.d:/usr/lib/nscontain.d} /run/nscontain/run; do
                for f in "$dir"/*.json; do
                        [[ -e $f ]] || continue
                        n=${f##*/}
                        echo "${n%.json}"
                done
        done | sort -u
}

_nscontain() {
        local cur prev verb i
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}

        local verbs="list status exec validate cat run kill pause resume"
        for ((i = 1; i < COMP_CWORD; i++)); do
                if [[ " $verbs " == *" ${COMP_WORDS[i]} "* ]]; then
                        verb=${COMP_WORDS[i]}
                        break
                fi
        done

        if [[ -z $verb ]]; then
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--help --version --no-pager --no-legend" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
                fi
                return
        fi

        case $verb in
        list)
                COMPREPLY=($(compgen -W "--help --all --json --no-pager --no-legend" -- "$cur"))
                ;;
        status | cat | kill | pause | resume)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--help $([[ $verb == status || $verb == cat ]] && echo --no-pager) $([[ $verb == status ]] && echo --lines --json)" -- "$cur"))
                elif [[ $verb == kill && $prev != kill && $prev != -* ]]; then
                        COMPREPLY=($(compgen -W "SIGTERM SIGINT SIGHUP SIGKILL SIGUSR1 SIGUSR2 SIGQUIT" -- "$cur"))
                else
                        COMPREPLY=($(compgen -W "$(__nscontain_names)" -- "$cur"))
                fi
                ;;
        exec)
                case $prev in
                -u | --user | -e | --env) return ;;
                -w | --workdir)
                        COMPREPLY=($(compgen -d -- "$cur"))
                        return
                        ;;
                esac
                # Options and a NAME until the NAME is there; then the command is the container's.
                local args=0
                for ((i = i + 1; i < COMP_CWORD; i++)); do
                        case ${COMP_WORDS[i]} in
                        -u | --user | -w | --workdir | -e | --env) ((i++)) ;;
                        -*) ;;
                        *) ((args++)) ;;
                        esac
                done
                if ((args == 0)); then
                        if [[ $cur == -* ]]; then
                                COMPREPLY=($(compgen -W "--help --tty --user --workdir --env" -- "$cur"))
                        else
                                COMPREPLY=($(compgen -W "$(__nscontain_names)" -- "$cur"))
                        fi
                fi
                ;;
        validate)
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--help --quiet" -- "$cur"))
                else
                        COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
                fi
                ;;
        run)
                case $prev in
                -p | --property)
                        COMPREPLY=($(compgen -W "MemoryMax= MemoryHigh= MemoryLow= MemoryMin= MemorySwapMax= TasksMax= CPUQuota= CPUWeight= IOWeight= Nice= RuntimeMaxSec= TimeoutStopSec= Description=" -- "$cur"))
                        compopt -o nospace 2>/dev/null
                        return
                        ;;
                --network)
                        COMPREPLY=($(compgen -W "veth none host" -- "$cur"))
                        return
                        ;;
                --name | -e | --env | -u | --user | -w | --workdir | --hostname | --uid-base) return ;;
                esac
                if [[ $cur == -* ]]; then
                        COMPREPLY=($(compgen -W "--help --name --property --rm --detach --env --user --workdir --hostname --network --uid-base" -- "$cur"))
                else
                        COMPREPLY=($(compgen -d -- "$cur"))
                fi
                ;;
        esac
}

complete -F _nscontain nscontain
